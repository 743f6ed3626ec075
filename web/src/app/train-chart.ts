/**
 * The Train panel's live charts: the training loss and the accuracies (train,
 * a moving average over recent batches; test, after each epoch) against the step, drawn as
 * SVG by tg.viz.lineChart. Points are collected on every progress message but
 * the SVG is rebuilt at most every `minIntervalMs` (default 200 ms, ~5x/s), so a
 * fast run cannot make the page spend its time redrawing.
 */
import * as tg from '../../../src/index.js';

/** Most points kept per series; past it every other point is dropped (the curve's shape stays). */
const MAX_POINTS = 1500;

interface Points {
  x: number[];
  y: number[];
}

function push(p: Points, x: number, y: number): void {
  p.x.push(x);
  p.y.push(y);
  if (p.x.length > MAX_POINTS) {
    p.x = p.x.filter((_, i) => i % 2 === 1);
    p.y = p.y.filter((_, i) => i % 2 === 1);
  }
}

export class TrainCharts {
  private loss: Points = { x: [], y: [] };
  private trainAcc: Points = { x: [], y: [] };
  private testAcc: Points = { x: [], y: [] };
  private lastDraw = 0;
  private pending = 0;

  /** Draws into `lossBox` and `accBox` (their contents are replaced). */
  constructor(private readonly lossBox: HTMLElement, private readonly accBox: HTMLElement, private readonly minIntervalMs = 200) {
    this.draw();
  }

  /** Adds a progress point (loss, train accuracy in [0, 1]) at `step`. */
  addStep(step: number, loss: number, trainAccuracy: number): void {
    push(this.loss, step, loss);
    push(this.trainAcc, step, trainAccuracy * 100);
    this.schedule();
  }

  /** Adds an end-of-epoch test accuracy (in [0, 1]) at `step`. */
  addTest(step: number, testAccuracy: number): void {
    push(this.testAcc, step, testAccuracy * 100);
    this.schedule();
  }

  clear(): void {
    this.loss = { x: [], y: [] };
    this.trainAcc = { x: [], y: [] };
    this.testAcc = { x: [], y: [] };
    this.draw();
  }

  private schedule(): void {
    if (this.pending) return;
    const wait = Math.max(0, this.lastDraw + this.minIntervalMs - performance.now());
    this.pending = window.setTimeout(() => {
      this.pending = 0;
      this.draw();
    }, wait);
  }

  private draw(): void {
    this.lastDraw = performance.now();
    // lineChart escapes names and draws nothing but numbers, so its SVG is safe as innerHTML.
    this.lossBox.innerHTML = tg.viz.lineChart({
      title: 'Training loss', xLabel: 'step', yLabel: 'cross-entropy', width: 560, height: 300,
      series: [{ name: 'train', x: this.loss.x, y: this.loss.y }],
    });
    this.accBox.innerHTML = tg.viz.lineChart({
      title: 'Accuracy', xLabel: 'step', yLabel: '%', width: 560, height: 300, yMax: 100,
      yFormat: (v) => v.toFixed(0),
      series: [
        { name: 'train (recent batches)', x: this.trainAcc.x, y: this.trainAcc.y, dashed: true },
        { name: 'test', x: this.testAcc.x, y: this.testAcc.y },
      ],
    });
  }
}
