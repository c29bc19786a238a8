//! Browser entry point, built by Trunk (see `index.html`).

#[cfg(target_arch = "wasm32")]
fn main() {
    kafka_sim::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("kafka-sim-web is the browser build; serve it with `./run serve`, or use the `kafka-sim` CLI.");
    std::process::exit(2);
}
