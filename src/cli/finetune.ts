// WORK IN PROGRESS (issue 13): the `tensorgrad finetune` command, written this session.
import { UserError } from './errors.js';

export async function finetuneCommand(..._args: unknown[]): Promise<void> {
  throw new UserError('finetune: not implemented yet');
}
