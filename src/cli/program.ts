/**
 * The `tensorgrad` command line: flags, their validation, and dispatch to the
 * subcommands (one file each). `runCli` runs one invocation and returns its
 * exit code without exiting, so tests can run many invocations in one process.
 *
 * Exit codes: 0 done; 1 a user error (one line `tensorgrad <command>: ...`,
 * the stack trace only with --verbose); 2 an internal error (a bug);
 * 130 training interrupted with Ctrl-C.
 */
// The package entry: it installs Tensor's op methods and the backward pass that every command uses.
import '../index.js';
import { Command, CommanderError, Option } from 'commander';
import { EXIT, oneLine, runCommand, UserError } from './errors.js';
import { MAX_THREADS } from '../backend/wasm/threads.js';
import { DATASET_NAMES } from './datasets.js';
import { OPTIMIZERS, SCHEDULERS } from './optimizers.js';
import { MODELS } from '../models/registry.js';
import { chosenBackend, restoreBackend } from '../backend/current.js';
import { applyThreads, BACKENDS, useBackend, useBackendAsync } from './backend.js';
import { choiceFlag, intFlag, LIMITS, numberFlag } from './flags.js';
import { cliIO, withCliIO, type CliIO } from './io.js';
import { snapshotEpochsFlag } from './snapshots.js';
import { UNIT_RANGE, VIEW_HELP, VIZ_VIEWS } from './viz-options.js';

/** The option keys the user typed (not defaults): what --resume compares against the checkpoint. */
function givenKeys(cmd: Command): Set<string> {
  return new Set(Object.keys(cmd.opts()).filter((k) => cmd.getOptionValueSource(k) === 'cli'));
}

/**
 * Commander's error text as our one line: `error: option '--x <n>' argument 'y'
 * is invalid. <why>` becomes `<why>`; commander's own choices read `--x must be
 * one of a, b (got 'y')`; a help hint ends the line.
 * @example formatCommanderError('train', "error: unknown option '--epoch'") // "tensorgrad train: unknown option '--epoch' (see 'tensorgrad train --help')\n"
 */
export function formatCommanderError(command: string, text: string): string {
  let msg = text.trim().replace(/^error:\s*/, '');
  const invalid = /^option '(--[\w-]+)[^']*' argument '([\s\S]*)' is invalid\.\s*([\s\S]*)$/.exec(msg);
  if (invalid) {
    const [, flag, value, why] = invalid as unknown as [string, string, string, string];
    const choices = /^Allowed choices are (.*)\.$/.exec(why);
    msg = choices ? `${flag} must be one of ${choices[1]} (got '${value}')` : why;
  }
  const line = oneLine(msg);
  return `tensorgrad${command ? ` ${command}` : ''}: ${line}${/--help/.test(line) ? '' : ` (see 'tensorgrad${command ? ` ${command}` : ''} --help')`}\n`;
}

/** Builds the command tree; actions store their exit code through `setCode`. */
function createProgram(io: CliIO, setCode: (code: number) => void): Command {
  const program = new Command();
  const verbose = () => Boolean(program.opts().verbose);
  /** Commander's output on `io`, its errors as our one line for `command` ('' for the program itself). */
  const output = (command: string) => ({
    writeOut: (s: string) => io.stdout.write(s), writeErr: (s: string) => io.stderr.write(s),
    outputError: (s: string, write: (s: string) => void) => write(formatCommanderError(command, s)),
  });
  // No commander default: the default backend is chosen (and loaded) only when a command runs.
  const backendOption = () => new Option('--backend <name>', `compute backend (${BACKENDS.join(', ')}; default: TENSORGRAD_BACKEND, else wasm where it loads)`)
    .argParser(choiceFlag('--backend', 'backend', BACKENDS));
  const threadsOption = () => new Option('--threads <n>', `worker threads for the wasm backend, 1 to ${MAX_THREADS} (default: all cores)`)
    .argParser(intFlag('--threads', { min: 1, max: MAX_THREADS }));
  program
    .name('tensorgrad')
    .description('Train, evaluate and inspect convolutional networks in TypeScript.')
    .option('--verbose', 'print stack traces for errors')
    .exitOverride()
    .configureOutput(output(''));

  const train = program.command('train')
    .description('train a model; with no flags, LeNet-5 on MNIST')
    .option('--model <name>', `model (${[...MODELS.keys()].join(', ')})`, choiceFlag('--model', 'model', [...MODELS.keys()]), 'lenet5')
    .option('--dataset <name>', `dataset (${DATASET_NAMES.join(', ')})`, choiceFlag('--dataset', 'dataset', DATASET_NAMES), 'mnist')
    .option('--data-dir <dir>', 'folder with the dataset files (fashion-mnist, cifar10)')
    .option('--epochs <n>', 'number of epochs (with --resume: the new total; default the planned total)', intFlag('--epochs', LIMITS.epochs), 3)
    .option('--batch-size <n>', 'batch size', intFlag('--batch-size', LIMITS.batchSize), 32)
    .option('--lr <x>', 'learning rate (default depends on the optimizer)', numberFlag('--lr', { ...LIMITS.lr, exclusiveMin: true }))
    .option('--optimizer <name>', `optimizer (${OPTIMIZERS.join(', ')})`, choiceFlag('--optimizer', 'optimizer', OPTIMIZERS), 'sgd')
    .option('--scheduler <name>', `learning-rate schedule (${SCHEDULERS.join(', ')})`, choiceFlag('--scheduler', 'scheduler', SCHEDULERS), 'onecycle')
    .option('--weight-decay <x>', 'L2 weight decay (decoupled for adamw)', numberFlag('--weight-decay', LIMITS.weightDecay), 5e-4)
    .option('--seed <n>', 'random seed', intFlag('--seed', LIMITS.seed), 0)
    .option('--out <dir>', 'run folder (default runs/<model>-<dataset>-<time>; with --resume the checkpoint\'s folder)')
    .option('--resume <checkpoint>', 'continue a run from its checkpoint.safetensors (settings come from the checkpoint)')
    .addOption(backendOption())
    .addOption(threadsOption())
    .option('--train-subset <n>', 'use only the first n training images (quick runs)', intFlag('--train-subset', LIMITS.subset))
    .option('--test-subset <n>', 'use only the first n test images', intFlag('--test-subset', LIMITS.subset))
    .option('--snapshot-epochs <list>', 'keep the weights of these epochs in RUN/snapshots/ (e.g. 1,2,5,10; for viz evolution)', snapshotEpochsFlag)
    .option('--report', 'write RUN/report.html (tensorgrad report) at the end of the run')
    .option('--classes <list>', 'keep only these dataset classes, relabelled 0..k-1 (e.g. 0,1,2,3,4)')
    .option('--per-class <k>', 'use only the first k training images of each kept class (few-shot)', intFlag('--per-class', LIMITS.subset))
    .action(async (o, cmd: Command) => {
      setCode(await runCommand('train', verbose(), async () => {
        o.backend = await useBackendAsync(o.backend);
        await applyThreads(o.threads, o.backend);
        const { train: trainCommand } = await import('./train.js');
        return trainCommand(o, givenKeys(cmd));
      }));
    });

  const evalCmd = program.command('eval')
    .description('accuracy, per-class accuracy and confusion matrix of a trained model on its test set')
    .argument('<run>', 'run folder or model .safetensors (with config.json beside it)')
    .option('--dataset <name>', `evaluate on another dataset with the same classes (${DATASET_NAMES.join(', ')})`, choiceFlag('--dataset', 'dataset', DATASET_NAMES))
    .option('--data-dir <dir>', 'folder with the dataset files')
    .addOption(backendOption())
    .option('--test-subset <n>', 'use only the first n test images', intFlag('--test-subset', LIMITS.subset))
    .option('--json', 'print the result as JSON')
    .action(async (run, o) => {
      setCode(await runCommand('eval', verbose(), async () => {
        const { evalCommand } = await import('./evaluate.js');
        await evalCommand(run, o);
      }));
    });

  const predict = program.command('predict')
    .description('top-k classes with probabilities for image files')
    .argument('<run>', 'run folder or model .safetensors')
    .argument('<images...>', 'PNG or JPEG files')
    .option('--top-k <n>', 'how many classes to show (at most the number of classes)', intFlag('--top-k', LIMITS.topK), 3)
    .option('--invert <mode>', 'invert grayscale images: auto (dark-on-light drawings), yes, no', choiceFlag('--invert', 'mode', ['auto', 'yes', 'no']), 'auto')
    .addOption(backendOption())
    .option('--json', 'print the result as JSON')
    .action(async (run, images, o) => {
      setCode(await runCommand('predict', verbose(), async () => {
        const { predictCommand } = await import('./predict.js');
        return predictCommand(run, images, o).failed.length ? EXIT.user : EXIT.ok;
      }));
    });

  const summary = program.command('summary')
    .description('layers, output shapes and parameter counts of a model')
    .argument('<model>', `model name (${[...MODELS.keys()].join(', ')}) or a run folder`)
    .option('--input <shape>', 'input shape with batch dim, e.g. 1,3,32,32')
    .option('--classes <n>', 'number of classes for a model built by name', intFlag('--classes', LIMITS.classes), 10)
    .action(async (model, o, cmd: Command) => {
      setCode(await runCommand('summary', verbose(), async () => {
        const { summaryCommand } = await import('./summary.js');
        summaryCommand(model, { ...o, classesGiven: givenKeys(cmd).has('classes') });
      }));
    });

  const experiment = program.command('experiment')
    .description('run a reproducible experiment and write its report folder (see --list)')
    .argument('[name]', 'experiment name')
    .option('--list', 'list the experiments')
    .option('--full', 'paper-scale settings (slow with the reference backend)')
    .option('--out <dir>', 'output folder (default experiments/<name>)')
    .option('--seed <n>', 'random seed', intFlag('--seed', LIMITS.seed), 0)
    .addOption(backendOption())
    .addOption(threadsOption())
    .option('--data-dir <dir>', 'CIFAR-10 folder: the activations experiment then uses CIFAR-10 instead of MNIST')
    .addOption(new Option('--smoke', 'tiny sizes for the test suite').hideHelp())
    .action(async (name, o) => {
      setCode(await runCommand('experiment', verbose(), async () => {
        o.backend = useBackend(o.backend);
        await applyThreads(o.threads, o.backend);
        const { experimentCommand } = await import('./experiment.js');
        await experimentCommand(name, o);
      }));
    });

  const viz = program.command('viz')
    .description('see inside a trained CNN: filters, feature maps, top patches, saliency, ... as PNG/SVG files')
    .argument('<run>', 'run folder, model .safetensors (config.json beside it), or a zoo model name with --weights')
    .argument('<view>', `what to render (${VIZ_VIEWS.join(', ')})`)
    .option('--layer <path>', 'layer path as in the summary / stateDict, e.g. features.0 (default depends on the view)')
    .option('--unit <n>', 'channel of the layer (or class for maximize without --layer); default: a few units', intFlag('--unit', UNIT_RANGE))
    .option('--image <file>', 'PNG or JPEG input for maps, saliency and occlusion (default: the first test image)')
    .option('--out <dir>', 'output folder (default RUN/viz/<view>)')
    .option('--seed <n>', 'random seed (maximize, SmoothGrad)', intFlag('--seed', LIMITS.seed), 0)
    .option('--weights <file>', 'weights .safetensors (required with a zoo model name; for a run: other weights, e.g. a snapshot)')
    .option('--dataset <name>', `dataset of a zoo model (${DATASET_NAMES.join(', ')}; default mnist or cifar10 by input channels)`, choiceFlag('--dataset', 'dataset', DATASET_NAMES))
    .option('--data-dir <dir>', 'folder with the dataset files (fashion-mnist, cifar10)')
    .option('--limit <n>', "test images to scan for top, confusion and evolution (default: the run's --test-subset, at most 2000)", intFlag('--limit', LIMITS.subset))
    .option('--quiet', 'no progress bars')
    .addOption(backendOption())
    .addHelpText('after', `\nViews:\n${VIZ_VIEWS.map((v) => `  ${v.padEnd(11)}${VIEW_HELP[v]}`).join('\n')}\n`)
    .action(async (run, view, o) => {
      setCode(await runCommand('viz', verbose(), async () => {
        const { vizCommand } = await import('./viz.js');
        vizCommand(run, view, o);
      }));
    });

  const report = program.command('report')
    .description('one self-contained HTML page about a trained run: curves, confusion, filters, maps, top patches, saliency, occlusion, summary')
    .argument('<run>', 'run folder (as written by tensorgrad train)')
    .option('--out <file>', 'HTML file to write (default RUN/report.html)')
    .option('--data-dir <dir>', 'folder with the dataset files (fashion-mnist, cifar10)')
    .option('--limit <n>', "test images to scan for the confusion matrix and top patches (default: the run's --test-subset, at most 10000)", intFlag('--limit', LIMITS.subset))
    .option('--seed <n>', 'random seed', intFlag('--seed', LIMITS.seed), 0)
    .option('--quiet', 'no progress bars')
    .addOption(backendOption())
    .action(async (run, o) => {
      setCode(await runCommand('report', verbose(), async () => {
        const { reportCommand } = await import('./report.js');
        reportCommand(run, o);
      }));
    });

  // Each command below keeps its options here and its work in its own file (export.ts, import.ts, finetune.ts).
  const exportCmd = program.command('export')
    .description('write a trained model in another format (ONNX) for serving elsewhere')
    .argument('<run>', 'run folder or model .safetensors (with config.json beside it)')
    .option('--format <name>', 'output format (onnx)', choiceFlag('--format', 'format', ['onnx']), 'onnx')
    .requiredOption('--out <file>', 'file to write, e.g. model.onnx')
    .option('--opset <n>', 'ONNX opset version (17 or newer)', intFlag('--opset', { min: 17, max: 22 }), 17)
    .option('--static-batch', 'fix the batch dimension to 1 (default: dynamic batch)')
    .action(async (run, o) => {
      setCode(await runCommand('export', verbose(), async () => {
        const { exportCommand } = await import('./export.js');
        await exportCommand(run, o);
      }));
    });

  const importCmd = program.command('import')
    .description('turn an ONNX model (e.g. from torch.onnx.export) into a run folder that train, eval, viz and finetune accept')
    .argument('<model>', 'the .onnx file')
    .requiredOption('--out <dir>', 'run folder to write')
    .option('--dataset <name>', `dataset the model takes (${DATASET_NAMES.join(', ')}); sets the input normalization and class names (default: mnist for 1x28x28 inputs, cifar10 for 3x32x32)`, choiceFlag('--dataset', 'dataset', DATASET_NAMES))
    .action(async (model, o) => {
      setCode(await runCommand('import', verbose(), async () => {
        const { importCommand } = await import('./import.js');
        await importCommand(model, o);
      }));
    });

  const finetune = program.command('finetune')
    .description('transfer learning: a new classifier head on a trained model, frozen or gradually unfrozen layers')
    .argument('<source>', 'run folder, ONNX file, or model .safetensors with --model')
    .option('--model <name>', `zoo model the .safetensors source belongs to (${[...MODELS.keys()].join(', ')})`, choiceFlag('--model', 'model', [...MODELS.keys()]))
    .option('--dataset <name>', `dataset to fine-tune on (${DATASET_NAMES.join(', ')})`, choiceFlag('--dataset', 'dataset', DATASET_NAMES), 'mnist')
    .option('--data-dir <dir>', 'folder with the dataset files (fashion-mnist, cifar10)')
    .option('--num-classes <n>', 'classes of the new head (default: the dataset\'s)', intFlag('--num-classes', LIMITS.classes))
    .option('--freeze <layer>', 'freeze the layers up to and including this module path (e.g. features.3); default none')
    .option('--unfreeze-schedule <name>', 'none: frozen layers stay frozen; gradual: unfreeze them one by one, last first, during training', choiceFlag('--unfreeze-schedule', 'schedule', ['none', 'gradual']), 'none')
    .option('--epochs <n>', 'number of epochs', intFlag('--epochs', LIMITS.epochs), 3)
    .option('--batch-size <n>', 'batch size', intFlag('--batch-size', LIMITS.batchSize), 32)
    .option('--lr <x>', 'learning rate of the new head (default depends on the optimizer)', numberFlag('--lr', { ...LIMITS.lr, exclusiveMin: true }))
    .option('--pretrained-lr-factor <x>', 'learning rate of the pretrained layers as a fraction of --lr', numberFlag('--pretrained-lr-factor', { min: 0, max: 1 }), 0.1)
    .option('--optimizer <name>', `optimizer (${OPTIMIZERS.join(', ')})`, choiceFlag('--optimizer', 'optimizer', OPTIMIZERS), 'sgd')
    .option('--seed <n>', 'random seed', intFlag('--seed', LIMITS.seed), 0)
    .option('--out <dir>', 'run folder (default runs/finetune-<dataset>-<time>)')
    .option('--train-subset <n>', 'use only the first n training images', intFlag('--train-subset', LIMITS.subset))
    .option('--test-subset <n>', 'use only the first n test images', intFlag('--test-subset', LIMITS.subset))
    .option('--classes <list>', 'keep only these dataset classes, relabelled 0..k-1 (e.g. 5,6,7,8,9)')
    .option('--per-class <k>', 'use only the first k training images of each kept class (few-shot)', intFlag('--per-class', LIMITS.subset))
    .addOption(backendOption())
    .addOption(threadsOption())
    .action(async (source, o, cmd: Command) => {
      setCode(await runCommand('finetune', verbose(), async () => {
        o.backend = useBackend(o.backend);
        await applyThreads(o.threads, o.backend);
        const { finetuneCommand } = await import('./finetune.js');
        return finetuneCommand(source, o, givenKeys(cmd));
      }));
    });

  // The subcommands inherit exitOverride; only the command name of their error lines differs.
  for (const cmd of [train, evalCmd, predict, summary, experiment, viz, report, exportCmd, importCmd, finetune]) cmd.configureOutput(output(cmd.name()));
  return program;
}

/**
 * Runs one `tensorgrad` invocation (`args` without `node` and the script) with
 * its output on `io` (default: the process streams) and returns the exit code.
 * Never calls process.exit.
 * @example process.exitCode = await runCli(['summary', 'lenet5']);
 */
export async function runCli(args: readonly string[], io?: CliIO): Promise<number> {
  return withCliIO(io, async () => {
    let code: number = EXIT.ok;
    const program = createProgram(cliIO(), (c) => (code = c));
    // --backend switches the process-wide backend; an in-process caller gets its own back (or none chosen yet).
    const backend = chosenBackend();
    try {
      await program.parseAsync([...args], { from: 'user' });
    } catch (e) {
      if (e instanceof CommanderError) return e.exitCode;
      throw e;
    } finally {
      restoreBackend(backend);
    }
    return code;
  });
}
