/**
 * The convex-quadratic analysis of pipelined training (issue 13 §1): each method of
 * DESIGN §6 on `f(w) = ½·λ·w²` with a gradient `D` updates late is a linear recurrence;
 * its convergence rate is the largest root of its characteristic polynomial. Plain
 * math, no tensors: it runs anywhere, in a browser too. {@link engineLossCurve} runs the
 * same problem through the real pipeline, for loss curves to set beside the analysis.
 *
 * @example
 * import { convergenceRate, largestStableStep, quadraticRecurrence } from 'pipegrad/analysis';
 * convergenceRate(quadraticRecurrence('pb+sc+lwp', { h: 0.001, momentum: 0.99, delay: 8 }));
 * largestStableStep('pb', { momentum: 0.9, delay: 4 }); // ≈ 0.0265
 *
 * @module analysis
 */
export { multiplyPolynomials, addPolynomials, scalePolynomial, monomial, evaluatePolynomial, type Polynomial } from './polynomial.js';
export { polynomialRoots, largestRootModulus, type Complex, type RootOptions } from './roots.js';
export {
  characteristicPolynomial,
  convergenceRate,
  checkRecurrence,
  initialState,
  stateLayout,
  stepRecurrence,
  transitionMatrix,
  weightTrajectory,
  type Recurrence,
  type StateLayout,
} from './quadratic-recurrence.js';
export { quadraticRecurrence, quadraticMethodNames, type QuadraticMethod, type QuadraticSetting } from './quadratic-methods.js';
export { largestStableStep, rateGrid, logSpace, type RateGrid, type StabilitySetting, type StabilityScanOptions } from './stability.js';
export { renderRateHeatmaps, colorOf, divergingColor, type HeatmapOptions } from './render-heatmap.js';
export { engineLossCurve, type EngineLossCurve, type EngineQuadratic } from './engine-loss-curves.js';
export { renderLossCurves, type LossCurvePanel } from './render-loss-curves.js';
