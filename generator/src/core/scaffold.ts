// What `image-factory init` writes into a new state repo: images.yaml, the workflow that keeps the
// generated files current, an example image build workflow with the inputs the rebuild step sends,
// and the Argo CD Application that installs the chart. Pure: the CLI decides which files exist.
import { parseDocument } from 'yaml';
import { DEFAULT_DISPATCH_INPUTS } from './config';

export interface ScaffoldInput {
  /** The state repo's https URL (validated by the caller). */
  stateRepoURL: string;
  branch: string;
  /** This project: `https://github.com/<owner>/<name>` (the Action and the chart are at its tags). */
  projectURL: string;
  /** The package version being run: the Action and chart pinned are those of this release. */
  version: string;
  /** The npm package name, for the schema path in node_modules. */
  packageName: string;
  /** chart/examples/application.yaml, which the Application is made from (one source for both). */
  applicationExample: string;
  /** The images.yaml reference, as a URL. */
  referenceURL: string;
}

export const SCAFFOLD_FILES = {
  images: 'images.yaml',
  workflow: '.github/workflows/image-factory.yml',
  buildWorkflow: '.github/workflows/build-image.yml',
  application: 'argocd/image-factory.yaml',
} as const;

/** `owner/name` of the project, as `uses:` names an Action. */
function actionRepo(projectURL: string): string {
  return projectURL.replace(/^https:\/\/github\.com\//, '');
}

function imagesYaml(input: ScaffoldInput): string {
  return `# yaml-language-server: $schema=./node_modules/${input.packageName}/generator/schema/images.schema.json
#
# Written by \`image-factory init\`: the images Image Factory rebuilds when their base images change.
# Every key, default and error: ${input.referenceURL}
# After an edit, \`npx --no -- image-factory generate\` writes images/, base-images/ and
# dist/values.yaml; on a push, .github/workflows/image-factory.yml does it and commits them.
stateRepo:
  url: ${input.stateRepoURL}
  branch: ${input.branch}
defaults:
  rebuildDelay: 7d
images: []
# To enrol an image, replace \`images: []\` above with a list like this one: a Dockerfile in this
# repository, built by .github/workflows/build-image.yml, rebuilt a day after its base changes.
#
# images:
#   - name: hello
#     registry: ghcr.io
#     repository: acme/hello
#     source:
#       dockerfile: images/hello/Dockerfile
#       workflow: build-image.yml
#     rebuildDelay: 1d
`;
}

function stateWorkflow(input: ScaffoldInput): string {
  const uses = `${actionRepo(input.projectURL)}@v${input.version}`;
  return `# Written by \`image-factory init\`. Keeps images/, base-images/ and dist/values.yaml in step with
# images.yaml: on a push to ${input.branch} it runs \`image-factory generate\` and commits what it wrote
# (new files too); on a pull request it runs \`generate --check\`, which fails when the committed
# files are not current. Both fail on warnings (an image no base image change would rebuild):
# the Action's \`strict\` input, true by default.
name: image-factory
on:
  push:
    branches: [${input.branch}]
  pull_request:
concurrency:
  group: image-factory-\${{ github.ref }}
  cancel-in-progress: false
jobs:
  generate:
    if: github.event_name == 'push'
    runs-on: ubuntu-latest
    permissions:
      contents: write
    steps:
      - uses: actions/checkout@v4
      - uses: ${uses}
        with:
          command: generate
      - name: Commit what generate wrote
        run: |
          # add -A: new state files too (\`git diff\` alone does not see untracked files)
          git add -A .
          if git diff --cached --quiet; then
            echo "image-factory: nothing to commit"
          else
            git -c user.name="image-factory[bot]" -c user.email="image-factory@users.noreply.github.com" commit -q -m "image-factory: regenerate"
            git push
          fi
  check:
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@v4
      - uses: ${uses}
        with:
          command: check
`;
}

function buildWorkflow(input: ScaffoldInput): string {
  const { baseImage, baseDigest } = DEFAULT_DISPATCH_INPUTS;
  return `# Written by \`image-factory init\`: an example of the workflow Image Factory starts (GitHub
# workflow_dispatch) when an image's base image changes. Kargo's rebuild step sends two inputs, named
# by the image's dispatchInputs in images.yaml (these are the defaults): the base image reference and
# the digest its tag now points to. GitHub refuses a dispatch with inputs the workflow does not
# declare, so keep both. Point an image at it with \`source.workflow: build-image.yml\`.
name: build-image
on:
  workflow_dispatch:
    inputs:
      ${baseImage}:
        description: The base image whose new digest started this build, e.g. docker.io/library/node:22-bookworm-slim
        required: false
        type: string
      ${baseDigest}:
        description: The digest that base image's tag points to now (sha256:...)
        required: false
        type: string
  push:
    branches: [${input.branch}]
    paths: ['images/hello/**']
permissions:
  contents: read
  packages: write
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Say why this build runs
        env:
          BASE_IMAGE: \${{ inputs.${baseImage} }}
          BASE_DIGEST: \${{ inputs.${baseDigest} }}
        run: |
          echo "base image: \${BASE_IMAGE:-none, a push or a manual run} \${BASE_DIGEST}"
      - uses: docker/login-action@v3
        with:
          registry: ghcr.io
          username: \${{ github.actor }}
          password: \${{ secrets.GITHUB_TOKEN }}
      - uses: docker/build-push-action@v6
        with:
          context: images/hello
          # pull: build on the base image's new digest, not on a cached older one
          pull: true
          push: true
          tags: ghcr.io/\${{ github.repository_owner }}/hello:latest
`;
}

/**
 * The chart's example Application with this state repo filled in: the state repo as the values
 * source and stateRepo, and the chart at this release's tag.
 */
function application(input: ScaffoldInput): string {
  // The example's opening comment tells a reader to fill in what is filled in here: replaced.
  const doc = parseDocument(input.applicationExample.replace(/^(#[^\n]*\n)+/, ''));
  const sources = doc.getIn(['spec', 'sources']) as { items: unknown[] } | undefined;
  if (!sources || sources.items.length !== 2) throw new Error('chart/examples/application.yaml: expected spec.sources with the chart and the state repo');
  doc.setIn(['spec', 'sources', 0, 'repoURL'], `${input.projectURL}.git`);
  doc.setIn(['spec', 'sources', 0, 'targetRevision'], `v${input.version}`);
  doc.setIn(['spec', 'sources', 0, 'helm', 'valuesObject', 'stateRepo', 'url'], input.stateRepoURL);
  doc.setIn(['spec', 'sources', 0, 'helm', 'valuesObject', 'stateRepo', 'branch'], input.branch);
  doc.setIn(['spec', 'sources', 1, 'repoURL'], input.stateRepoURL);
  doc.setIn(['spec', 'sources', 1, 'targetRevision'], input.branch);
  doc.commentBefore =
    ' Written by `image-factory init`: the Argo CD Application that installs the image-factory chart\n' +
    ` (v${input.version}) with this state repo's dist/values.yaml. Apply it to Argo CD's namespace\n` +
    ' (kubectl apply -f argocd/image-factory.yaml) once the Secrets in the chart README exist.';
  return doc.toString({ lineWidth: 0 });
}

/** Every file init writes, by path relative to the state repo. */
export function scaffoldFiles(input: ScaffoldInput): Map<string, string> {
  return new Map([
    [SCAFFOLD_FILES.images, imagesYaml(input)],
    [SCAFFOLD_FILES.workflow, stateWorkflow(input)],
    [SCAFFOLD_FILES.buildWorkflow, buildWorkflow(input)],
    [SCAFFOLD_FILES.application, application(input)],
  ]);
}

/**
 * The https URL of a git remote as `git remote get-url` prints it: an SSH address
 * (`git@github.com:acme/x.git`, `ssh://git@github.com/acme/x.git`) becomes its https form, and any
 * user:password is dropped (a token in a remote URL must not end up in a committed file or a message).
 */
export function httpsRemoteURL(remote: string): string {
  const trimmed = remote.trim();
  const scp = /^[A-Za-z0-9._-]+@([A-Za-z0-9.-]+):(?!\/\/)(.+)$/.exec(trimmed);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  const ssh = /^ssh:\/\/(?:[^@/]+@)?([A-Za-z0-9.-]+)(?::\d+)?\/(.+)$/.exec(trimmed);
  if (ssh) return `https://${ssh[1]}/${ssh[2]}`;
  return trimmed.replace(/^(https?:\/\/)[^/@]*@/, '$1');
}
