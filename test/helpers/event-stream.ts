/** Reads a server-sent event stream as the browser's EventSource does: for the tests and the benchmarks' clients. */

/** A server-sent event as EventSource hands it over (`event` is « message » when the server names none). */
export interface ServerEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * Returns the function to feed with each chunk of the stream's body (text): it calls `onEvent`
 * for each complete event. Comments (`: ping`) and blocks without data (`retry: 2000`) are not events.
 */
export function eventReader(onEvent: (e: ServerEvent) => void): (chunk: string) => void {
  let buffer = '';
  return (chunk) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const e: ServerEvent = { event: 'message', data: '' };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') e.event = value;
        else if (field === 'data') data.push(value);
        else if (field === 'id') e.id = value;
      }
      if (data.length === 0) continue;
      e.data = data.join('\n');
      onEvent(e);
    }
  };
}
