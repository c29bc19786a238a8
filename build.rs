//! Lists the lesson files (`static/lessons/*.lesson`) for `src/lessons/mod.rs`,
//! so a lesson is added by adding a file, without touching Rust.

use std::fmt::Write;

fn main() {
    println!("cargo:rerun-if-changed=static/lessons");
    let dir = std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default())
        .join("static/lessons");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".lesson"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut out = String::from("&[\n");
    for n in &names {
        let path = dir.join(n);
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            out,
            "    ({:?}, include_str!({:?})),",
            format!("static/lessons/{n}"),
            path.display().to_string()
        );
    }
    out.push_str("]\n");
    let target =
        std::path::Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("lesson_files.rs");
    if let Err(e) = std::fs::write(&target, out) {
        println!("cargo:warning=cannot write {}: {e}", target.display());
    }
}
