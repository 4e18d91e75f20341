// A small inline SVG equity sparkline (no JavaScript needed): emerald when it ends above its start, rose below.
export function MarketSparkline({
  values,
  label,
  width = 120,
  height = 36,
}: {
  values: number[];
  label: string;
  width?: number;
  height?: number;
}) {
  if (values.length < 2) {
    return (
      <svg
        role="img"
        aria-label={`${label}: no closed trades yet`}
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
      >
        <line
          x1="2"
          x2={width - 2}
          y1={height / 2}
          y2={height / 2}
          stroke="#cbd5e1"
          strokeWidth="1.5"
          strokeDasharray="3 4"
        />
      </svg>
    );
  }
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const pad = 2;
  const x = (i: number) => pad + (i * (width - 2 * pad)) / (values.length - 1);
  const y = (v: number) => pad + (1 - (v - min) / span) * (height - 2 * pad);
  const line = values.map((v, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  const area = `${line} L${x(values.length - 1).toFixed(1)},${height} L${x(0).toFixed(1)},${height} Z`;
  const up = values[values.length - 1] >= values[0];
  const color = up ? "#059669" : "#e11d48";
  return (
    <svg
      role="img"
      aria-label={label}
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      className="overflow-visible"
    >
      <path d={area} fill={color} fillOpacity="0.1" />
      <path
        d={line}
        fill="none"
        stroke={color}
        strokeWidth="1.75"
        strokeLinejoin="round"
        strokeLinecap="round"
      />
    </svg>
  );
}
