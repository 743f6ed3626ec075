/** The explorer's styles, scoped under `.ce` and injected by mountConvExplorer (removed with it). */
export const CONV_EXPLORER_CSS = `
.ce { font-family: system-ui, sans-serif; display: grid; gap: 0.75rem; }
.ce-controls { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: end; }
.ce-field { display: flex; flex-direction: column; gap: 0.15rem; font-size: 0.9rem; }
.ce-field input { width: 4.5em; }
.ce-errors { color: #c92a2a; margin: 0; }
.ce-errors:empty, .ce-note:empty { display: none; }
.ce-formula p { margin: 0.2rem 0; font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
.ce-grids { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
.ce-grids > div { overflow-x: auto; max-width: 100%; }
.ce-grid { border-collapse: collapse; font-variant-numeric: tabular-nums; }
.ce-grid caption { font-weight: 600; text-align: left; padding-bottom: 0.25rem; }
.ce-grid td { min-width: 2.2em; height: 2.2em; padding: 0 0.2em; text-align: center; border: 1px solid #bbb; }
.ce-grid input { width: 3.5em; text-align: center; }
.ce-grid button { width: 100%; min-height: 2.2em; font: inherit; border: 0; background: transparent; cursor: pointer; }
.ce-pad { background: #f1f3f5; color: #868e96; font-style: italic; }
.ce-window { background: #fff4e6; box-shadow: inset 0 0 0 3px #e8590c; }
.ce-current { background: #ffd8a8; box-shadow: inset 0 0 0 3px #e8590c; }
.ce-transport { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
.ce-work p { margin: 0.2rem 0; font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
`;
