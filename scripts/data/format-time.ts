// How the data CLI writes a time for people: UTC to the minute, e.g. "2024-01-01 00:00".

export const formatTime = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");
