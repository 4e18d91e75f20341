// How the data CLI writes times for people: UTC to the minute ("2024-01-01 00:00") and lengths of market time ("1 d 6 h").

export const formatTime = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A span of market time in its two largest units: "366 d", "1 d 6 h", "5 h 15 min", "45 min". */
export function formatSpan(ms: number): string {
  const days = Math.floor(ms / DAY);
  const hours = Math.floor((ms % DAY) / HOUR);
  const minutes = Math.round((ms % HOUR) / MINUTE);
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  return `${minutes} min`;
}
