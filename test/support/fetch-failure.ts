// The GitFetchError a fetch fails with; any other outcome (success, another error) fails the test.
import * as assert from 'uvu/assert';
import { fetchFileAtCommit, GitFetchError, type FetchFileOptions } from '../../generator/src/core/git';

export async function fetchFailure(options: FetchFileOptions): Promise<GitFetchError> {
  try {
    await fetchFileAtCommit(options);
  } catch (e) {
    assert.instance(e, GitFetchError);
    return e as GitFetchError;
  }
  throw new Error('expected the fetch to fail');
}
