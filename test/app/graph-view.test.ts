import { describe, expect, it } from 'vitest';
import {
  MIN_FIT_SCALE,
  MIN_LABEL_PX,
  SMALLEST_LABEL_FONT,
  initialView,
} from '../../src/app/components/graph/geometry';

describe('initialView (the graph at first sight)', () => {
  it('fits a graph that fits, centred, no larger than 1.25×', () => {
    const v = initialView(700, 300, 900);
    expect(v.k).toBeCloseTo(1.25);
    expect(v.x).toBeCloseTo((900 - 700 * 1.25) / 2);
    expect(v.viewHeight).toBe(375);
  });

  it('on a phone, keeps labels at 11 CSS px and shows the sources (left end) to pan from', () => {
    const v = initialView(1000, 300, 370);
    expect(v.k).toBe(MIN_FIT_SCALE);
    expect(SMALLEST_LABEL_FONT * v.k).toBeGreaterThanOrEqual(MIN_LABEL_PX);
    expect(v.x).toBe(0);
    expect(v.viewHeight).toBe(300);
  });

  it('caps the height of a tall graph and never scales below the minimum for it either', () => {
    const v = initialView(800, 900, 1000);
    expect(v.k).toBe(MIN_FIT_SCALE);
    expect(v.viewHeight).toBe(520);
    expect(v.y).toBe(0);
  });
});
