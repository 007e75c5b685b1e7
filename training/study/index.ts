/**
 * Studies: a grid of training runs from a JSON file, several seeds per cell, results
 * kept per run so that a study resumes, and a report of mean ± standard deviation with
 * a picture.
 *
 * @module
 */
export { meanSd, type MeanSd } from './stats.js';
export { axisLabel, parseStudy, planStudy, type AxisValue, type SettingGroup, type PlannedRun, type StudySpec } from './spec.js';
export { divergedResult, finishedResult, resultName, type StudyRunResult } from './result.js';
export { runScore, summarizeStudy, type CellSummary, type PanelSummary } from './summary.js';
export { formatMeanSd, studyReport } from './report.js';
export { renderStudyPlot, type StudyPlotOptions } from './plot.js';
export { estimateStudySeconds, probeThroughput, runStudy, storedResults, STUDY_PLOT, STUDY_REPORT, type StudyEvents, type StudyOptions, type StudyOutcome } from './runner.js';
