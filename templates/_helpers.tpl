{{/*
Named helpers of the image-factory chart. Templates never search or sort: the generator
precomputes names, upstreams and order (docs/design.md, "Chart values").
*/}}

{{/*
image-factory.name returns the chart name, cut to 63 characters: the app.kubernetes.io/name label.
*/}}
{{- define "image-factory.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
image-factory.chart returns "<chart name>-<chart version>" for the helm.sh/chart label
("+" replaced, since label values cannot hold it).
*/}}
{{- define "image-factory.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
image-factory.namespace returns the namespace of every namespaced object: the Kargo Project's,
which is named by project.name.
*/}}
{{- define "image-factory.namespace" -}}
{{- .Values.project.name -}}
{{- end -}}

{{/*
image-factory.selectorLabels returns the labels that select one component's objects
(name, instance, component). Call with (dict "root" $ "component" "<component>").
*/}}
{{- define "image-factory.selectorLabels" -}}
app.kubernetes.io/name: {{ include "image-factory.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name | quote }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/*
image-factory.labels returns the full label set of an object of one component: the selector
labels plus version, part-of, managed-by and helm.sh/chart.
Call with (dict "root" $ "component" "<component>"); templates compute it once per file and
reuse the string inside their loops.
*/}}
{{- define "image-factory.labels" -}}
helm.sh/chart: {{ include "image-factory.chart" .root }}
{{ include "image-factory.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: image-factory
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end -}}

{{/*
image-factory.expr returns a Kargo expression: the given expr-lang text wrapped in "${{ " and " }}".
This is the one way templates write a Kargo expression (Helm never sees a literal "{{" in the
templates). The caller quotes the field holding it: `value: {{ include "image-factory.expr" "vars.x" | quote }}`.
An expression must not contain "}}" (Kargo would end it there): write "} }" instead.
A template writing expressions in a per-image loop takes the format once, outside the loop
($expr := include "image-factory.expr" "%s"), and uses `printf $expr ...` inside it.
*/}}
{{- define "image-factory.expr" -}}
{{- printf "${{ %s }}" . -}}
{{- end -}}

{{/*
image-factory.stateRepoURL returns stateRepo.url, or fails the render with how to set it.
*/}}
{{- define "image-factory.stateRepoURL" -}}
{{- required "stateRepo.url is required: set it to the HTTPS URL of the state repository (the repository holding images.yaml and dist/values.yaml), e.g. --set stateRepo.url=https://github.com/acme/images-state.git, or name it in images.yaml and run `image-factory generate`" .Values.stateRepo.url -}}
{{- end -}}

{{/*
image-factory.stateRepoPath returns "<owner>/<name>" of the state repository, read from its URL:
the GitHub repository of local images, whose source.repo the values leave out when it is the state
repository's (or '' when the generator could not name it).
*/}}
{{- define "image-factory.stateRepoPath" -}}
{{- $url := include "image-factory.stateRepoURL" . | trimSuffix "/" | trimSuffix ".git" -}}
{{- $path := regexReplaceAll "^[a-zA-Z][a-zA-Z0-9+.-]*://[^/]+/" $url "" -}}
{{- if not (regexMatch "^[A-Za-z0-9._-]+/[A-Za-z0-9._-]+$" $path) -}}
{{- fail (printf "stateRepo.url %q does not end in <owner>/<name>: local images dispatch their workflow in the state repository, so give its GitHub URL (https://<host>/<owner>/<name>.git)" .Values.stateRepo.url) -}}
{{- end -}}
{{- $path -}}
{{- end -}}

{{/*
image-factory.service.baseURL returns the in-cluster base URL of the analysis service
(http://<name>.<namespace>.svc.cluster.local:<port>), which answers /v1/analyze and /v1/rebuild-gate.
*/}}
{{- define "image-factory.service.baseURL" -}}
{{- printf "http://%s.%s.svc.cluster.local:%d" .Values.analysisService.name (include "image-factory.namespace" .) (int .Values.analysisService.port) -}}
{{- end -}}

{{/*
image-factory.analysis.url returns the in-cluster URL of the analysis endpoint.
*/}}
{{- define "image-factory.analysis.url" -}}
{{- printf "%s/v1/analyze" (include "image-factory.service.baseURL" .) -}}
{{- end -}}

{{/*
image-factory.analysis.image returns the analysis service image reference: repository@digest
when a digest is set, otherwise repository:tag (tag defaults to the chart's appVersion).
*/}}
{{- define "image-factory.analysis.image" -}}
{{- $img := .Values.analysisService.image -}}
{{- if $img.digest -}}
{{- printf "%s@%s" $img.repository $img.digest -}}
{{- else -}}
{{- printf "%s:%s" $img.repository (default .Chart.AppVersion $img.tag) -}}
{{- end -}}
{{- end -}}

{{/*
image-factory.autoPromoteLabel returns the label key ProjectConfig selects auto-promoted Stages by.
*/}}
{{- define "image-factory.autoPromoteLabel" -}}
image-factory.dev/auto-promote
{{- end -}}

{{/*
image-factory.analysis.allowlistPartSize returns how many repository URLs one allowlist ConfigMap of
the analysis service holds: 1,000 URLs of up to ~160 characters stay under 170 KiB.
*/}}
{{- define "image-factory.analysis.allowlistPartSize" -}}
1000
{{- end -}}

{{/*
image-factory.analysis.allowlistParts returns how many allowlist ConfigMaps there are: enough for
externalRepositories, and at least one, so the service always has a file to read.
*/}}
{{- define "image-factory.analysis.allowlistParts" -}}
{{- $size := int (include "image-factory.analysis.allowlistPartSize" .) -}}
{{- max 1 (div (add (len .Values.externalRepositories) (sub $size 1)) $size) -}}
{{- end -}}

{{/*
image-factory.analysis.allowlistPartName returns the name of allowlist ConfigMap number .index:
analysisService.name for the first (so it keeps its name as the list grows), <name>-<index> after.
Call with (dict "root" $ "index" $i).
*/}}
{{- define "image-factory.analysis.allowlistPartName" -}}
{{- if eq (int .index) 0 -}}
{{- .root.Values.analysisService.name -}}
{{- else -}}
{{- printf "%s-%d" .root.Values.analysisService.name (int .index) -}}
{{- end -}}
{{- end -}}

{{/*
image-factory.imageDefaults returns, as JSON, the value of each image property that `generate` leaves
out of the values when the image has that value: its `default` in generator/schema/values.schema.json
(test/values-defaults.test.ts keeps the two equal). Helm's cost grows with the number of values nodes,
so a default is not written 10,000 times. A template reads it once (`include ... | fromJson`), and
each such property with `dig` and these defaults: dig "trigger" $defaults.trigger $image.
*/}}
{{- define "image-factory.imageDefaults" -}}
{"autoRebuild":true,"dispatchInputs":{"baseDigest":"base_digest","baseImage":"base_image"},"rebuildDelay":"7d","source":{"branch":"main","host":"","local":true,"provider":"github","tokenKey":""},"subscription":{"imageSelectionStrategy":"NewestBuild"},"trigger":{"kind":"github","url":""}}
{{- end -}}

{{/*
image-factory.step.cloneState returns the promotion step (a YAML list item) that clones the state
repository's branch into ./state with the chart's git author: the first step of every task and
Stage that writes the state repository. Templates include it once and indent the string.
*/}}
{{- define "image-factory.step.cloneState" -}}
- uses: git-clone
  as: clone
  config:
    repoURL: {{ include "image-factory.stateRepoURL" . | quote }}
    checkout:
    - branch: {{ .Values.stateRepo.branch | quote }}
      path: ./state
    author:
      name: {{ .Values.git.author.name | quote }}
      email: {{ .Values.git.author.email | quote }}
{{- end -}}
