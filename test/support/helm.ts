// Renders the chart at the repository root with the helm binary in .tools (installed by
// scripts/install-helm.js): values go to a temp file, helm runs through execFile (no shell).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { writtenValuesOf } from '../../generator/src/core/written-values';
import type { ChartValues } from '../../generator/src/core/values-types';

export const CHART_DIR = path.resolve(__dirname, '../..');
export const HELM = path.join(CHART_DIR, '.tools', 'helm');

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with the given arguments; never throws for a non-zero exit. */
export function helm(args: string[], options: { cwd?: string } = {}): Promise<HelmResult> {
  return new Promise((resolve, reject) => {
    execFile(
      HELM,
      args,
      { cwd: options.cwd ?? CHART_DIR, maxBuffer: 1 << 30, env: { ...process.env, HELM_CACHE_HOME: path.join(tmpdir(), 'if-helm-cache'), HELM_CONFIG_HOME: path.join(tmpdir(), 'if-helm-config'), HELM_DATA_HOME: path.join(tmpdir(), 'if-helm-data') } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/**
 * Calls fn with the path of a temp file holding the values (as JSON, which is YAML), then removes it.
 * The file holds them as `generate` writes them: upstreams as slugs of bases, generated properties
 * at their default left out (`asIs` writes every property).
 */
export async function withValuesFile<T>(values: unknown, fn: (file: string) => Promise<T>, options: { asIs?: boolean } = {}): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'if-chart-'));
  try {
    const file = path.join(dir, 'values.yaml');
    writeFileSync(file, JSON.stringify(writtenValuesOf(values as ChartValues, { keepDefaults: options.asIs })));
    return await fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `helm template` with the values; extra arguments go after them. */
export function helmTemplate(values: unknown, extra: string[] = []): Promise<HelmResult> {
  return withValuesFile(values, (file) => helm(['template', 'image-factory', CHART_DIR, '-f', file, ...extra]));
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string>; annotations: Record<string, string> };
  [key: string]: any;
}

/**
 * Renders and parses every document; fails on a helm error or a YAML error or warning. Helm puts
 * each document after a line `---`; parsing them one by one is three times faster than one
 * multi-document parse of tens of megabytes.
 */
export async function render(values: unknown, extra: string[] = []): Promise<{ text: string; objects: K8sObject[] }> {
  return parsedRender(await helmTemplate(values, extra));
}

/** `render` of a values file as it is (one `generate` wrote, say): the file is not rewritten. */
export async function renderFile(file: string, extra: string[] = []): Promise<{ text: string; objects: K8sObject[] }> {
  return parsedRender(await helm(['template', 'image-factory', CHART_DIR, '-f', file, ...extra]));
}

function parsedRender(r: HelmResult): { text: string; objects: K8sObject[] } {
  if (r.code !== 0) throw new Error(`helm template failed (${r.code}): ${r.stderr}`);
  const objects: K8sObject[] = [];
  for (const text of r.stdout.split(/^---$/m)) {
    const doc = parseDocument(text, { uniqueKeys: true });
    const problems = [...doc.errors, ...doc.warnings];
    if (problems.length) throw new Error(`rendered YAML is invalid: ${problems.map((p) => p.message).join('; ')}`);
    const obj = doc.toJS({ maxAliasCount: -1 });
    if (obj !== null && obj !== undefined) objects.push(obj as K8sObject);
  }
  return { text: r.stdout, objects };
}

export const byKind = (objects: K8sObject[], kind: string): K8sObject[] => objects.filter((o) => o.kind === kind);

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0];
}
