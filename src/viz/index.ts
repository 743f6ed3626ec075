/** `tg.viz`: looking inside a CNN (captured layer outputs, ...), SVG charts and image grids / contact sheets. */
export * from './chart.js';
export * from './sheet.js';
export * from './capture.js';
