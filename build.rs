//! Build script: the source digest that names this build in run records and manifests.
//!
//! `REGIONSIM_SOURCE` is the sha256 of every file the binary is built from (`src/`, `assets/`,
//! `build.rs`, `Cargo.toml`, `Cargo.lock`), each hashed with its path and length, in path
//! order. Two builds with the same digest run the same model, so `--resume` and `merge` reuse
//! only the run records of a build with this digest.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let mut files = vec![];
    for d in ["src", "assets"] {
        files_under(&root.join(d), &mut files);
        println!("cargo:rerun-if-changed={d}");
    }
    for f in ["build.rs", "Cargo.toml", "Cargo.lock"] {
        files.push(root.join(f));
        println!("cargo:rerun-if-changed={f}");
    }
    // Relative, '/'-separated paths: the digest does not depend on where the clone is.
    let mut named: Vec<(String, PathBuf)> = files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&root).unwrap_or(&p);
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            (name, p)
        })
        .collect();
    named.sort();
    let mut h = Sha256::new();
    for (name, p) in &named {
        let bytes = std::fs::read(p).unwrap_or_default();
        h.update(name.as_bytes());
        h.update([0]);
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    let digest: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    println!("cargo:rustc-env=REGIONSIM_SOURCE={}", &digest[..16]);
}
