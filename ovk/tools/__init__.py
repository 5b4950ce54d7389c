"""The smaller tools: `ovk fmt`, `ovk new`, `ovk export` and `ovk list`."""
