/**
 * Bar charts drawn on the server as SVG: the geometry only (pure), the markup is in
 * views/register/_bar_chart.ejs, with a title, a description and the data table beside it.
 */

export interface Bar {
  label: string;
  value: number;
}

export interface PlacedBar extends Bar {
  x: number;
  y: number;
  width: number;
  height: number;
  /** where the bar's label and value are written */
  labelX: number;
  labelY: number;
  valueX: number;
  valueY: number;
}

export interface BarChart {
  width: number;
  height: number;
  horizontal: boolean;
  max: number;
  bars: PlacedBar[];
  /** the baseline of the bars */
  axis: { x1: number; y1: number; x2: number; y2: number };
}

const PAD = 8;

/**
 * Columns (vertical bars, labels under them) or rows (horizontal bars, labels on their left).
 * Values below zero are drawn as zero; an all-zero chart keeps its axis and no bar height.
 */
export function barChart(data: readonly Bar[], options: { horizontal?: boolean; width?: number; height?: number; labelWidth?: number } = {}): BarChart {
  const horizontal = options.horizontal ?? false;
  const width = options.width ?? 640;
  const max = Math.max(0, ...data.map((d) => d.value));
  const scale = (v: number, room: number) => (max === 0 ? 0 : (Math.max(0, v) / max) * room);
  if (horizontal) {
    const labelWidth = options.labelWidth ?? 220;
    const row = 28;
    const height = options.height ?? PAD * 2 + row * Math.max(1, data.length);
    const room = width - labelWidth - PAD * 2 - 40;
    const bars = data.map((d, i) => {
      const y = PAD + i * row + 4;
      const w = scale(d.value, room);
      return {
        ...d,
        x: labelWidth,
        y,
        width: w,
        height: row - 8,
        labelX: labelWidth - PAD,
        labelY: y + (row - 8) / 2 + 5,
        valueX: labelWidth + w + 6,
        valueY: y + (row - 8) / 2 + 5,
      };
    });
    return { width, height, horizontal, max, bars, axis: { x1: labelWidth, y1: PAD, x2: labelWidth, y2: height - PAD } };
  }
  const height = options.height ?? 260;
  const bottom = height - 40;
  const room = bottom - PAD - 20;
  const slot = (width - PAD * 2) / Math.max(1, data.length);
  const bars = data.map((d, i) => {
    const h = scale(d.value, room);
    const x = PAD + i * slot + slot * 0.15;
    const w = slot * 0.7;
    return { ...d, x, y: bottom - h, width: w, height: h, labelX: x + w / 2, labelY: bottom + 18, valueX: x + w / 2, valueY: bottom - h - 6 };
  });
  return { width, height, horizontal, max, bars, axis: { x1: PAD, y1: bottom, x2: width - PAD, y2: bottom } };
}
