/** `tg.viz`: SVG charts (training curves, bar charts) and image grids / contact sheets. */
export * from './chart.js';
export * from './sheet.js';
