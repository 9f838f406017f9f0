// Named landmark index sets of the MediaPipe 478-point face mesh that motion and warping rely on.
// Indices only: no geometry here.

/** Points that barely move with expression (forehead, nose bridge, temples, cheekbones, eye corners). */
export const RIGID_POINTS: readonly number[] = [
  10, 151, 9, 8, 109, 338, 67, 297, 108, 337, 54, 284, 21, 251, 103, 332, 6, 168, 197, 195, 5, 4, 234, 454, 127, 356,
  116, 345, 123, 352, 33, 263, 133, 362,
];

/** Face oval, clockwise from the top of the forehead. */
export const FACE_OVAL: readonly number[] = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136,
  172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
];

/** Inner lip contour (the mouth opening), upper lip left→right then lower lip right→left. */
export const INNER_LIPS: readonly number[] = [
  78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402, 317, 14, 87, 178, 88, 95,
];
/** The mouth opening as 11 columns from corner to corner: upper inner-lip point k sits above lower point k. */
export const INNER_LIP_UPPER: readonly number[] = INNER_LIPS.slice(0, INNER_LIPS.length / 2 + 1);
export const INNER_LIP_LOWER: readonly number[] = [INNER_LIPS[0], ...INNER_LIPS.slice(INNER_LIPS.length / 2).reverse()];
export const UPPER_INNER_LIP_MID = 13;
export const LOWER_INNER_LIP_MID = 14;
export const MOUTH_CORNERS: readonly [number, number] = [78, 308];

/** Eye contours (lids), outer corner first, upper lid then lower lid. */
export const LEFT_EYE: readonly number[] = [33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7];
export const RIGHT_EYE: readonly number[] = [
  263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249,
];
export interface EyeKeyPoints {
  outer: number;
  inner: number;
  upper: number;
  lower: number;
  /** Skin around the eye (between lid crease and brow, and under the lower lid), for the colour of a shut lid. */
  skin: readonly number[];
  /** The iris centre (human's iris model writes the image-left eye's iris at 473, the other at 468). */
  iris: number;
}
/** The eye on the image's left for an upright frontal face (the subject's right eye). */
export const LEFT_EYE_KEYS: EyeKeyPoints = { outer: 33, inner: 133, upper: 159, lower: 145, skin: [224, 229, 230], iris: 473 };
export const RIGHT_EYE_KEYS: EyeKeyPoints = { outer: 263, inner: 362, upper: 386, lower: 374, skin: [444, 449, 450], iris: 468 };
/** The iris landmarks: centre then four rim points per eye (468–472 and 473–477). */
export const IRIS_POINTS_PER_EYE = 5;

/** MediaPipe with iris refinement has 478 points; without it 468. */
export const MESH_POINTS = 478;
