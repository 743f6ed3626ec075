// WORK IN PROGRESS (issue 13): the `tensorgrad export` command, written this session.
import { UserError } from './errors.js';

export async function exportCommand(..._args: unknown[]): Promise<void> {
  throw new UserError('export: not implemented yet');
}
