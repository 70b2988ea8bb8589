{{/*
The steps every rebuild PromotionTask shares (rebuild for GitHub, rebuild-gitlab, rebuild-webhook):
only the request that starts the build differs between providers. Each task's steps are
  image-factory.rebuild.before   clone, read the record, decide, read the digest history, the gate
  <its own request>             `as: dispatch`, if: the gate said dispatch
  image-factory.rebuild.after    record the rebuild (or the first digest), commit, push
so every provider keeps the same guarantees: nothing is sent before the cooldown gate opens, one
request per attempt, and the rebuild recorded in lastRebuild through yaml-update, commit and push
only when the request succeeded. Every task declares the vars these steps read: image, baseRef,
baseKey, baseDigest, stateFile, delay. See promotiontask-rebuild.yaml for what each step does.
*/}}

{{/*
image-factory.rebuild.dispatchIf returns the `if` of a task's own request: the gate opened.
*/}}
{{- define "image-factory.rebuild.dispatchIf" -}}
{{- include "image-factory.expr" "success() && task.outputs['gate']?.action == 'dispatch'" -}}
{{- end -}}

{{- define "image-factory.rebuild.before" -}}
{{- $e := "image-factory.expr" -}}
{{- $branch := .Values.stateRepo.branch -}}
{{- $out := "task.outputs['recorded']" -}}
{{- $decision := "task.outputs['decision']" -}}
{{- $now := "now().UTC().Format('2006-01-02T15:04:05Z')" -}}
{{- $gated := "success() && task.outputs['gate']?.action == 'dispatch'" -}}
{{- $seen := "fromJSON(task.outputs['history']?.seen ?? '[]')" }}
  {{- include "image-factory.step.cloneState" . | nindent 2 }}
  - uses: yaml-parse
    as: recorded
    config:
      path: {{ printf "./state/%s" (include $e "vars.stateFile") | quote }}
      outputs:
      - name: tracked
        fromExpression: {{ printf "lastRebuild?.bases?.['%s'] != nil" (include $e "vars.baseKey") | quote }}
      - name: builtOn
        fromExpression: {{ printf "lastRebuild?.bases?.['%s']?.digest ?? ''" (include $e "vars.baseKey") | quote }}
  - uses: compose-output
    as: decision
    config:
      record: {{ include $e (printf "%s.tracked && %s.builtOn != vars.baseDigest" $out $out) | quote }}
      {{- if eq .Values.rebuild.firstDigest "rebuild" }}
      dispatch: {{ include $e (printf "%s.tracked && %s.builtOn != vars.baseDigest" $out $out) | quote }}
      {{- else }}
      dispatch: {{ include $e (printf "%s.tracked && %s.builtOn != vars.baseDigest && %s.builtOn != ''" $out $out $out) | quote }}
      {{- end }}
      reason: {{ include $e (printf "!%s.tracked ? 'the image no longer builds on ' + vars.baseRef : %s.builtOn == vars.baseDigest ? 'already built on ' + vars.baseDigest : %s.builtOn == '' ? 'first digest seen for ' + vars.baseRef : 'new digest of ' + vars.baseRef" $out $out $out) | quote }}
  - uses: yaml-parse
    as: history
    if: {{ include $e (printf "%s.dispatch" $decision) | quote }}
    continueOnError: true
    config:
      path: {{ printf "./state/digests/%s.yaml" (include $e "vars.baseKey") | quote }}
      outputs:
      - name: seen
        fromExpression: "toJSON(seen ?? [])"
  - uses: compose-output
    as: clock
    if: {{ include $e (printf "%s.dispatch" $decision) | quote }}
    config:
      # When Kargo first saw the digest; without a record (the base Stage could not write it), this
      # Promotion's start, which is then kept in the step's output across every poll of the gate.
      seenAt: {{ include $e (printf "(find(%s, #.digest == vars.baseDigest) ?? {}).seenAt ?? %s" $seen $now) | quote }}
  - uses: http
    as: gate
    if: {{ include $e (printf "success() && %s.dispatch" $decision) | quote }}
    retry:
      errorThreshold: {{ .Values.rebuild.gate.errorThreshold }}
    config:
      method: POST
      url: {{ printf "%s/v1/rebuild-gate" (include "image-factory.service.baseURL" .) | quote }}
      headers:
      - name: Authorization
        value: {{ printf "Bearer %s" (include $e (printf "secret('%s').%s" .Values.analysisService.tokenSecret.name .Values.analysisService.tokenSecret.key)) | quote }}
      - name: Content-Type
        value: application/json
      - name: Accept
        value: application/json
      body: {{ include $e (printf "quote({ 'image': vars.image, 'base': vars.baseRef, 'digest': vars.baseDigest, 'seenAt': task.outputs['clock'].seenAt, 'builtOn': %s.builtOn, 'seen': %s, 'delay': vars.delay })" $out $seen) | quote }}
      timeout: 30s
      pollInterval: {{ .Values.rebuild.gate.pollInterval }}
      responseContentType: application/json
      successExpression: "response.status == 200 && response.body.action != 'wait'"
      failureExpression: "response.status != 200 && !(response.status in [429, 502, 503, 504])"
      errorExpression: {{ "'rebuild gate: ' + string(response.body?.error?.message ?? 'no message')" | quote }}
      outputs:
      - name: action
        fromExpression: "response.body.action"
      - name: reason
        fromExpression: "response.body.reason"
      - name: dueAt
        fromExpression: "response.body.dueAt"
{{- end -}}

{{- define "image-factory.rebuild.after" -}}
{{- $e := "image-factory.expr" -}}
{{- $branch := .Values.stateRepo.branch -}}
{{- $out := "task.outputs['recorded']" -}}
{{- $decision := "task.outputs['decision']" -}}
{{- $now := "now().UTC().Format('2006-01-02T15:04:05Z')" -}}
{{- $gated := "success() && task.outputs['gate']?.action == 'dispatch'" -}}
{{- $seen := "fromJSON(task.outputs['history']?.seen ?? '[]')" }}
  - uses: yaml-update
    as: record-rebuild
    if: {{ include $e $gated | quote }}
    config:
      path: {{ printf "./state/%s" (include $e "vars.stateFile") | quote }}
      updates:
      - key: lastRebuild.at
        value: {{ include $e $now | quote }}
      - key: lastRebuild.base
        value: {{ include $e "vars.baseRef" | quote }}
      - key: lastRebuild.digest
        value: {{ include $e "vars.baseDigest" | quote }}
      - key: {{ printf "lastRebuild.bases.%s.digest" (include $e "vars.baseKey") | quote }}
        value: {{ include $e "vars.baseDigest" | quote }}
      - key: {{ printf "lastRebuild.bases.%s.at" (include $e "vars.baseKey") | quote }}
        value: {{ include $e $now | quote }}
  - uses: yaml-update
    as: record-first-digest
    if: {{ include $e (printf "success() && %s.record && !%s.dispatch" $decision $decision) | quote }}
    config:
      path: {{ printf "./state/%s" (include $e "vars.stateFile") | quote }}
      updates:
      - key: {{ printf "lastRebuild.bases.%s.digest" (include $e "vars.baseKey") | quote }}
        value: {{ include $e "vars.baseDigest" | quote }}
      - key: {{ printf "lastRebuild.bases.%s.at" (include $e "vars.baseKey") | quote }}
        value: {{ include $e $now | quote }}
  - uses: git-commit
    as: commit
    if: {{ include $e (printf "success() && %s.record && (!%s.dispatch || task.outputs['gate']?.action == 'dispatch')" $decision $decision) | quote }}
    config:
      path: ./state
      message: {{ include $e (printf "%s.dispatch ? 'image-factory: rebuild ' + vars.image + ' for ' + vars.baseRef + '@' + vars.baseDigest : 'image-factory: ' + vars.image + ' is built on ' + vars.baseRef + '@' + vars.baseDigest + ' (first digest seen; no rebuild)'" $decision) | quote }}
  - uses: git-push
    as: push
    if: {{ include $e (printf "success() && %s.record && (!%s.dispatch || task.outputs['gate']?.action == 'dispatch')" $decision $decision) | quote }}
    config:
      path: ./state
      targetBranch: {{ $branch | quote }}
      maxAttempts: {{ .Values.git.pushMaxAttempts }}
{{- end -}}
