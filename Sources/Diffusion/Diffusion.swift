// The Diffusion layer: see DESIGN.md.
