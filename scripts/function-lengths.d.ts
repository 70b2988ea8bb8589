// Types of scripts/function-lengths.js for the TypeScript tests.
export interface FunctionLength {
  file: string;
  /** 1-based line of the function's first line */
  line: number;
  /** qualified by where it stands: `outer.inner`, `Class.method`, `outer.(anonymous)` */
  name: string;
  /** first to last line, both counted */
  lines: number;
  /** the text after `Long:` in the comment directly above it */
  reason?: string;
}
export const DEFAULT_LIMIT: number;
export function functionsIn(file: string, text: string): FunctionLength[];
export function longFunctions(root: string, folders?: string[], limit?: number): FunctionLength[];
