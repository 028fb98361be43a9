import Script

/// Registers the whole domain — data, teachers, grids, solvers, noise, solve,
/// distill, metrics, compare, plots, files — into an interpreter.
public func installBindings(into interpreter: Interpreter, context: BindingsContext) {
    let r = interpreter.registry
    registerData(r, context)
    registerTeachers(r, context)
    registerTraining(r, context)
    registerMetrics(r, context)
    registerProfiles(r, context)
    registerCompare(r, context)
    registerPerSample(r, context)
    registerPlots(r, context)
    registerOverlay(r, context)
    registerTables(r, context)
    registerFiles(r, context)
    registerTensorExtras(r, context)
    registerImages(r, context)
    registerNearest(r, context)
    registerInstruments(r, context)
    registerEmbedding(r, context)
}
