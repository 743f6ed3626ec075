#!/usr/bin/env node
/**
 * The `tensorgrad` command: train, evaluate, predict and summarise CNNs.
 * Each subcommand lives in its own file; this one only parses arguments.
 */
import { Command, InvalidArgumentError } from 'commander';
import { runCommand, UserError } from './errors.js';
import { setNumThreads } from '../backend/wasm/index.js';
import { DATASET_NAMES } from './datasets.js';
import { OPTIMIZERS, SCHEDULERS } from './optimizers.js';
import { MODELS } from '../models/registry.js';
import '../backend/default.js';
import { getBackend, listBackends } from '../backend/current.js';

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be an integer`);
  return n;
};
const num = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number`);
  return n;
};

/** Applies --threads before any work (the wasm backend's worker pool). */
async function applyThreads(n: number | undefined): Promise<void> {
  if (n === undefined) return;
  if (!Number.isInteger(n) || n < 1) throw new UserError(`--threads must be a positive integer (got ${n})`);
  await setNumThreads(n);
}

const program = new Command();
program
  .name('tensorgrad')
  .description('Train, evaluate and inspect convolutional networks in TypeScript.')
  .option('--verbose', 'print stack traces for errors')
  .showHelpAfterError('(run with --help for usage)');

const verbose = () => Boolean(program.opts().verbose);

program.command('train')
  .description('train a model; with no flags, LeNet-5 on MNIST')
  .option('--model <name>', `model (${[...MODELS.keys()].join(', ')})`, 'lenet5')
  .option('--dataset <name>', `dataset (${DATASET_NAMES.join(', ')})`, 'mnist')
  .option('--data-dir <dir>', 'folder with the dataset files (fashion-mnist, cifar10)')
  .option('--epochs <n>', 'number of epochs', int('--epochs'), 3)
  .option('--batch-size <n>', 'batch size', int('--batch-size'), 32)
  .option('--lr <x>', 'learning rate (default depends on the optimizer)', num('--lr'))
  .option('--optimizer <name>', `optimizer (${OPTIMIZERS.join(', ')})`, 'sgd')
  .option('--scheduler <name>', `learning-rate schedule (${SCHEDULERS.join(', ')})`, 'onecycle')
  .option('--weight-decay <x>', 'L2 weight decay (decoupled for adamw)', num('--weight-decay'), 5e-4)
  .option('--seed <n>', 'random seed', int('--seed'), 0)
  .option('--out <dir>', 'run folder (default runs/<model>-<dataset>-<time>)')
  .option('--resume <checkpoint>', 'continue a run from its checkpoint.safetensors')
  .option('--backend <name>', `compute backend (${listBackends().join(', ')})`, getBackend().name)
  .option('--threads <n>', 'worker threads for the wasm backend (default: all cores)', int('--threads'))
  .option('--train-subset <n>', 'use only the first n training images (quick runs)', int('--train-subset'))
  .option('--test-subset <n>', 'use only the first n test images', int('--test-subset'))
  .action(async (o) => {
    await runCommand('train', verbose(), async () => {
      await applyThreads(o.threads);
      const { train } = await import('./train.js');
      await train(o);
    });
  });

program.command('eval')
  .description('accuracy, per-class accuracy and confusion matrix of a trained model on its test set')
  .argument('<run>', 'run folder or model .safetensors (with config.json beside it)')
  .option('--dataset <name>', 'evaluate on another dataset with the same classes')
  .option('--data-dir <dir>', 'folder with the dataset files')
  .option('--backend <name>', 'compute backend', getBackend().name)
  .option('--test-subset <n>', 'use only the first n test images', int('--test-subset'))
  .option('--json', 'print the result as JSON')
  .action(async (run, o) => {
    await runCommand('eval', verbose(), async () => {
      const { evalCommand } = await import('./evaluate.js');
      evalCommand(run, o);
    });
  });

program.command('predict')
  .description('top-k classes with probabilities for image files')
  .argument('<run>', 'run folder or model .safetensors')
  .argument('<images...>', 'PNG or JPEG files')
  .option('--top-k <n>', 'how many classes to show', int('--top-k'), 3)
  .option('--invert <mode>', 'invert grayscale images: auto (dark-on-light drawings), yes, no', 'auto')
  .option('--backend <name>', 'compute backend', getBackend().name)
  .option('--json', 'print the result as JSON')
  .action(async (run, images, o) => {
    await runCommand('predict', verbose(), async () => {
      const { predictCommand } = await import('./predict.js');
      predictCommand(run, images, o);
    });
  });

program.command('summary')
  .description('layers, output shapes and parameter counts of a model')
  .argument('<model>', `model name (${[...MODELS.keys()].join(', ')}) or a run folder`)
  .option('--input <shape>', 'input shape with batch dim, e.g. 1,3,32,32')
  .option('--classes <n>', 'number of classes for a model built by name', int('--classes'), 10)
  .action(async (model, o) => {
    await runCommand('summary', verbose(), async () => {
      const { summaryCommand } = await import('./summary.js');
      summaryCommand(model, o);
    });
  });

program.command('experiment')
  .description('run a reproducible experiment and write its report folder (see --list)')
  .argument('[name]', 'experiment name')
  .option('--list', 'list the experiments')
  .option('--full', 'paper-scale settings (slow with the reference backend)')
  .option('--out <dir>', 'output folder (default experiments/<name>)')
  .option('--seed <n>', 'random seed', int('--seed'), 0)
  .option('--backend <name>', `compute backend (${listBackends().join(', ')})`, getBackend().name)
  .option('--threads <n>', 'worker threads for the wasm backend (default: all cores)', int('--threads'))
  .option('--data-dir <dir>', 'CIFAR-10 folder: the activations experiment then uses CIFAR-10 instead of MNIST')
  .addOption(program.createOption('--smoke', 'tiny sizes for the test suite').hideHelp())
  .action(async (name, o) => {
    await runCommand('experiment', verbose(), async () => {
      await applyThreads(o.threads);
      const { experimentCommand } = await import('./experiment.js');
      await experimentCommand(name, o);
    });
  });

await program.parseAsync(process.argv);
