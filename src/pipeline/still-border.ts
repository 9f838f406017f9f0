// How wide the picture's still border is: the warp engine pins this band (nothing in it moves) and the eval
// measures the border's stillness over the same band, so the promise and its measure are one number.

/** The band's width as a share of the picture's shorter side, and its least width in pixels. */
const SHARE_OF_SHORTER_SIDE = 0.03;
const LEAST_PX = 6;

/** Width in pixels of the still band along every edge of a width×height picture (15 px at 512 px). */
export function stillBorderWidth(width: number, height: number): number {
  return Math.max(LEAST_PX, Math.round(Math.min(width, height) * SHARE_OF_SHORTER_SIDE));
}
