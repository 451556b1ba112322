/** The execution's event history, collapsible, each event's details expandable (like the AWS console's). */
import type { HistoryEventView } from '../api-types.ts';
import { formatTime } from './format.ts';

export function EventHistory({ events }: { events: readonly HistoryEventView[] }) {
  return (
    <details class="history">
      <summary>Event history ({events.length} events)</summary>
      <table aria-label="Event history">
        <thead>
          <tr>
            <th scope="col">ID</th>
            <th scope="col">Type</th>
            <th scope="col">State</th>
            <th scope="col">Time</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id}>
              <td>{e.id}</td>
              <td>{e.type}</td>
              <td>{e.stateName ?? ''}</td>
              <td>{formatTime(e.timestamp)}</td>
              <td>
                {e.details === null ? null : (
                  <details>
                    <summary>details</summary>
                    <pre>{JSON.stringify(e.details, null, 2)}</pre>
                  </details>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
