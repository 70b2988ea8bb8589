// A Dockerfile's bytes to its analysis, errors as `file:line:col` problems: strict UTF-8, then
// dockerfile.ts. Its own module so that the analysis service's worker threads load only this and
// the analyser, not the whole generator.
import { UserError } from './errors';
import { baseImagesOf, DockerfileError } from './dockerfile';
import type { DockerfileAnalysis } from './types';
import { analysisLimitProblem } from './state';
import { firstInvalidUtf8 } from './yaml-source';

/** Decodes UTF-8 strictly and analyzes, turning Dockerfile errors into file:line:col problems. */
export function analyzeDockerfile(bytes: Uint8Array, file: string, buildArgs: Record<string, string>): DockerfileAnalysis {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = firstInvalidUtf8(buffer);
  if (bad >= 0) {
    const before = buffer.subarray(0, bad).toString('utf8');
    const line = before.split('\n').length;
    const col = before.length - before.lastIndexOf('\n');
    throw new UserError({ subject: file, line, col, message: `is not UTF-8 text (byte 0x${buffer[bad].toString(16)}); save the Dockerfile as UTF-8` });
  }
  const text = buffer.toString('utf8');
  let result: DockerfileAnalysis;
  try {
    result = baseImagesOf(text, buildArgs);
  } catch (e) {
    if (e instanceof DockerfileError) throw new UserError({ subject: file, line: e.line, col: e.col, message: e.message });
    throw e;
  }
  // More images than a state file may hold: refused here, so no writer makes a file the reader refuses.
  const tooMany = analysisLimitProblem(result);
  if (tooMany) throw new UserError({ subject: file, ...tooMany });
  return result;
}
