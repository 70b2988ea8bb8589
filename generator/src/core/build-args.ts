// Build argument names that cannot be kept in a plain JavaScript object: `__proto__` is swallowed
// by assignment (the entry silently disappears), and `constructor` and `prototype` read as the
// object's own machinery wherever code forgets to check ownership. Docker accepts them; images.yaml
// and the analysis service refuse them, naming the key, rather than drop or misread them.
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

/** Why `name` cannot be a build argument here (phrased to follow `build argument "<name>"`), or undefined. */
export function reservedBuildArgProblem(name: string): string | undefined {
  if (!RESERVED.has(name)) return undefined;
  return 'is a name this tool cannot keep (JavaScript objects reserve __proto__, constructor and prototype); rename the ARG in the Dockerfile and here';
}
