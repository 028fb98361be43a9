import Foundation

/// The `sbatch` submissions of a sweep: the job-array script (one task per point, the task
/// id being the point id) and the optional shared step as a job of its own.
public struct SlurmScript {
    /// Everything a submission needs besides the points.
    public struct Options {
        /// At most this many tasks of the array run at once (`--array=…%N`).
        public var throttle: Int?
        /// Flags handed to `sbatch` unchanged (`--time=1:00:00`, `--mem=4G`, `--partition=p`).
        public var sbatchOptions: [String]
        /// Threads of one run: `--cpus-per-task` and `CMLAB_THREADS`.
        public var threads: Int
        /// The folder the jobs start in (where `cmlab sweep` was called).
        public var workingDirectory: URL

        public init(throttle: Int? = nil, sbatchOptions: [String] = [], threads: Int = 1, workingDirectory: URL) {
            self.throttle = throttle; self.sbatchOptions = sbatchOptions; self.threads = threads
            self.workingDirectory = workingDirectory
        }

        /// Refuses options `sbatch` would misread or that would break the array.
        public func check() throws {
            if let throttle, throttle < 1 { throw SweepError("--throttle must be at least 1, not \(throttle)") }
            for o in sbatchOptions {
                guard o.hasPrefix("-") else {
                    throw SweepError(
                        "--slurm-opt \(o): give sbatch flags with their dashes, e.g. --slurm-opt=--time=1:00:00")
                }
                guard !o.contains(where: { $0.isNewline || $0 == "\0" }) else {
                    throw SweepError("--slurm-opt holds a line break")
                }
                let name = o.split(separator: "=", maxSplits: 1).first.map(String.init) ?? o
                if ["--array", "-a", "--output", "-o", "--error", "-e", "--dependency", "-d", "--parsable", "--wrap"]
                    .contains(name)
                {
                    throw SweepError("--slurm-opt \(o): cmlab sweep sets \(name) itself")
                }
            }
        }
    }

    /// `0-3,7,9-12`: the ids, sorted, as `sbatch --array` ranges.
    public static func arraySpec(_ ids: [Int], throttle: Int? = nil) -> String {
        var parts: [String] = []
        var run: (Int, Int)?
        for id in Set(ids).sorted() {
            if let r = run, id == r.1 + 1 { run = (r.0, id); continue }
            if let r = run { parts.append(r.0 == r.1 ? "\(r.0)" : "\(r.0)-\(r.1)") }
            run = (id, id)
        }
        if let r = run { parts.append(r.0 == r.1 ? "\(r.0)" : "\(r.0)-\(r.1)") }
        return parts.joined(separator: ",") + (throttle.map { "%\($0)" } ?? "")
    }

    /// A shell word: `'…'` with inner quotes escaped.
    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// The `sbatch` arguments (before the script) of the array over `ids`, after `dependency`.
    public static func arrayArguments(
        _ ids: [Int], dir: URL, name: String, options: Options, dependency: String?
    ) -> [String] {
        var args = [
            "--parsable", "--job-name=cmlab-\(name)", "--array=\(arraySpec(ids, throttle: options.throttle))",
            "--output=\(dir.appendingPathComponent("logs").path)/slurm-%A_%a.out",
            "--cpus-per-task=\(options.threads)", "--chdir=\(options.workingDirectory.path)",
        ]
        if let dependency { args.append("--dependency=afterok:\(dependency)") }
        return args + options.sbatchOptions
    }

    /// The `sbatch` arguments of the shared step's job.
    public static func sharedArguments(dir: URL, name: String, options: Options) -> [String] {
        [
            "--parsable", "--job-name=cmlab-\(name)-shared",
            "--output=\(dir.appendingPathComponent("logs").path)/slurm-%j-shared.out",
            "--cpus-per-task=\(options.threads)", "--chdir=\(options.workingDirectory.path)",
        ] + options.sbatchOptions
    }

    /// The job script: `cmlab sweep --point $SLURM_ARRAY_TASK_ID` (or `--shared-step`) in the sweep folder.
    public static func script(cmlab: URL, dir: URL, shared: Bool, threads: Int, sbatchArguments: [String]) -> String {
        let step = shared ? "--shared-step" : "--point \"$SLURM_ARRAY_TASK_ID\""
        return """
            #!/bin/bash
            # Written by `cmlab sweep --slurm`; submitted as
            #   sbatch \(sbatchArguments.map(quote).joined(separator: " ")) THIS_SCRIPT
            # Rerun the same `cmlab sweep … --slurm` command to resubmit what did not finish.
            export CMLAB_THREADS=\(threads) OPENBLAS_NUM_THREADS=\(threads)
            exec \(quote(cmlab.path)) sweep \(step) --out \(quote(dir.path))

            """
    }
}
