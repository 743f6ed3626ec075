// WORK IN PROGRESS (issue 13): the `tensorgrad import` command, written this session.
import { UserError } from './errors.js';

export async function importCommand(..._args: unknown[]): Promise<void> {
  throw new UserError('import: not implemented yet');
}
