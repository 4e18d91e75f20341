// The look every lightweight-charts chart of the app shares: slate text on the card, the brand crosshair.
type ChartLibrary = typeof import("lightweight-charts");

export const chartTheme = ({ ColorType }: Pick<ChartLibrary, "ColorType">) => ({
  autoSize: true,
  layout: {
    background: { type: ColorType.Solid, color: "transparent" } as const,
    textColor: "#475569",
    fontFamily: "Inter, ui-sans-serif, system-ui, sans-serif",
    attributionLogo: false,
  },
  rightPriceScale: { borderVisible: false },
  crosshair: {
    horzLine: { labelBackgroundColor: "#1f63d6" },
    vertLine: { labelBackgroundColor: "#1f63d6" },
  },
});
