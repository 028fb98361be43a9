// The Plotting layer (docs/architecture.md): figures over Cairo, written as PNG, SVG or PDF.
//
// Where things are:
//   Figure.swift          a page of panels; save(to:dpi:), pngData(dpi:), pixels(dpi:)
//   Panel.swift           one set of axes and the methods that add marks to it
//   PanelLayout.swift     margins measured from real text; tick counts that fit
//   PanelRender.swift     grid, marks, frame, ticks, labels, colour bar
//   Legend.swift          legend box in the emptiest corner
//   Scale.swift           linear / log scales, the data→page Transform, Rect
//   Ticks.swift           {1, 2, 5}×10^k ticks, decade ticks, tick labels
//   Limits.swift          automatic (and robust) limits, equal aspect
//   Color.swift, Colormap.swift   colour cycle; viridis & co.; value→colour mapping
//   Marks/                scatter, line, trajectories, vector field, heatmap, histogram
//   ImageGrid.swift       sample sheets with exact pixel sizes
//   Gallery.swift         renderGallery: the five standard pictures of a study
//   Render/               the Cairo context wrapper, surfaces and rasters
//   PlotError.swift       every failure as a thrown error with the offending value
