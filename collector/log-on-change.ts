/**
 * A condition that is logged when it begins and when it ends, not at every repetition: a
 * periodic task failing through a one-hour outage writes two lines, not hundreds.
 */
export function logOnChange(log: (line: string) => void, failedLine: string, okLine: string): { failed: () => void; ok: () => void } {
  let failing = false;
  return {
    failed: () => {
      if (!failing) log(failedLine);
      failing = true;
    },
    ok: () => {
      if (failing) log(okLine);
      failing = false;
    },
  };
}
