import { describe, expect, it } from 'vitest';
import { barChart } from '../../src/register/charts.ts';
import { lastMonths } from '../../src/register/statistics.service.ts';

describe('bar chart geometry', () => {
  it('when columns are drawn, then the largest value fills the room, bars are proportional and stand on the axis', () => {
    const chart = barChart(
      [
        { label: 'a', value: 2 },
        { label: 'b', value: 4 },
        { label: 'c', value: 0 },
      ],
      { width: 300, height: 200 },
    );
    const [a, b, c] = chart.bars;
    expect(chart.max).toBe(4);
    expect(a!.height).toBeCloseTo(b!.height / 2);
    expect(c!.height).toBe(0);
    for (const bar of chart.bars) expect(bar.y + bar.height).toBeCloseTo(chart.axis.y1);
    expect(a!.x + a!.width).toBeLessThanOrEqual(b!.x);
  });

  it('when every value is zero, then no bar has a height and nothing divides by zero', () => {
    const chart = barChart([{ label: 'a', value: 0 }], { horizontal: true });
    expect(chart.bars[0]!.width).toBe(0);
    expect(Number.isFinite(chart.bars[0]!.valueX)).toBe(true);
  });

  it('when rows are drawn, then each starts after the labels and grows with its value', () => {
    const chart = barChart(
      [
        { label: 'a', value: 1 },
        { label: 'b', value: 3 },
      ],
      { horizontal: true, labelWidth: 100 },
    );
    expect(chart.bars.every((b) => b.x === 100)).toBe(true);
    expect(chart.bars[1]!.width).toBeCloseTo(chart.bars[0]!.width * 3);
    expect(chart.bars[1]!.y).toBeGreaterThan(chart.bars[0]!.y);
  });

  it('when the twelve last months are asked for in January, then they cross the year', () => {
    expect(lastMonths('2027-01-15')).toEqual([
      '2026-02',
      '2026-03',
      '2026-04',
      '2026-05',
      '2026-06',
      '2026-07',
      '2026-08',
      '2026-09',
      '2026-10',
      '2026-11',
      '2026-12',
      '2027-01',
    ]);
  });
});
