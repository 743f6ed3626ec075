/**
 * The worker's request dispatch as a plain function, so Node tests run every
 * request without a Worker: `handleRequest(session, req)` returns the reply
 * message (or `{ type: 'error', id, message }`); train-worker.ts only posts it.
 */
import type { FromWorker, WorkerRequest } from './protocol.js';
import type { WorkerSession } from './model-state.js';
import { inspect } from './inspect.js';
import { filters } from './filters.js';
import { units } from './units.js';
import { summary } from './summary.js';
import { load, save } from './model-file.js';

/** Whether `msg` is one of the requests that get a reply with the same id. */
export function isRequest(msg: { type: string }): msg is WorkerRequest {
  return ['inspect', 'filters', 'units', 'summary', 'save', 'load'].includes(msg.type);
}

/**
 * Answers one request against the session's current model. Never throws: a
 * failure becomes an error reply carrying the request's id.
 * @example post(handleRequest(session, { type: 'summary', id: 7 }))
 */
export function handleRequest(session: WorkerSession, req: WorkerRequest): FromWorker {
  try {
    switch (req.type) {
      case 'inspect':
        return inspect(session.current, req);
      case 'filters':
        return filters(session.current, req);
      case 'units': {
        if (!session.data) throw new Error('units: the test images are not loaded yet');
        return units(session.current, session.data.test, req);
      }
      case 'summary':
        return summary(session.current, req);
      case 'save':
        return save(session.current, req);
      case 'load':
        return load(session, req);
      default:
        throw new Error(`unknown request type '${String((req as { type: unknown }).type)}'`);
    }
  } catch (e) {
    return { type: 'error', id: req.id, message: e instanceof Error ? e.message : String(e) };
  }
}
