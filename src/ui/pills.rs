//! Keeps the network lane's pills (messages in flight) from covering one
//! another. The cluster view places each pill along its wire in % of the lane
//! (`--x`, `--y`), which cannot know how wide a label is in pixels: on a phone
//! or in an embed several pills would sit on top of each other. After each
//! render (in the next animation frame) this module measures the lane and the pills and moves a pill that
//! would cover an earlier one (or the lane's legend) up or down, or a little
//! sideways, by `--dx` / `--dy` pixels; a pill that finds no free place at all
//! is hidden (`data-crowded`) rather than drawn over another one. Pills come
//! in the order they arrive, so the ones arriving first keep their places.
//!
//! Layout only: nothing here touches the simulation.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::NodeRef;

/// A box in lane pixels.
#[derive(Clone, Copy)]
struct Rect {
    left: f64,
    top: f64,
    right: f64,
    bottom: f64,
}

impl Rect {
    fn moved(self, dx: f64, dy: f64) -> Rect {
        Rect {
            left: self.left + dx,
            top: self.top + dy,
            right: self.right + dx,
            bottom: self.bottom + dy,
        }
    }

    /// The boxes share more than a hairline (a 1 px gap is kept between pills).
    fn overlaps(&self, o: &Rect) -> bool {
        self.left < o.right + 1.0
            && o.left < self.right + 1.0
            && self.top < o.bottom + 1.0
            && o.top < self.bottom + 1.0
    }
}

/// A number as the cluster view writes it (`12.34`, `-0.5`). Read by hand:
/// `str::parse::<f64>` would link Rust's float parser and its tables
/// (about 14 KB of wasm) for two numbers with two decimals.
fn decimal(text: &str) -> Option<f64> {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, text),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut value = 0.0;
    for c in int.chars() {
        value = value * 10.0 + f64::from(c.to_digit(10)?);
    }
    let mut scale = 0.1;
    for c in frac.chars() {
        value += scale * f64::from(c.to_digit(10)?);
        scale /= 10.0;
    }
    Some(sign * value)
}

/// `--x` and `--y` (in % of the lane) from a pill's style attribute.
fn percent_position(style: &str) -> Option<(f64, f64)> {
    let value = |name: &str| {
        style.split(';').find_map(|part| {
            let (k, v) = part.split_once(':')?;
            (k.trim() == name).then(|| decimal(v.trim()))?
        })
    };
    Some((value("--x")?, value("--y")?))
}

/// The style attribute without the offsets this module added last time.
fn base_style(style: &str) -> String {
    style
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty() && !p.starts_with("--dx") && !p.starts_with("--dy"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The offset that puts `pill` in a free place inside a `w`×`h` lane, or
/// `None`: near its own spot first (up and down), then half a pill and a
/// pill sideways.
fn free_place(pill: Rect, w: f64, h: f64, taken: &[Rect]) -> Option<(f64, f64)> {
    let (pw, ph) = (pill.right - pill.left, pill.bottom - pill.top);
    // Inside the lane horizontally (a pill wider than the lane starts at its left).
    let dx0 = if pill.left < 1.0 || pw > w - 2.0 {
        1.0 - pill.left
    } else if pill.right > w - 1.0 {
        w - 1.0 - pill.right
    } else {
        0.0
    };
    let step = ph + 2.0;
    let mut dys = vec![0.0];
    for i in 1..8 {
        let i = f64::from(i);
        dys.extend([i * step, -i * step]);
    }
    // The lane's top and bottom edges are places too.
    dys.extend([1.0 - pill.top, h - 1.0 - pill.bottom]);
    for dx in [0.0, -0.5, 0.5, -1.0, 1.0].map(|f| dx0 + f * pw) {
        let r = pill.moved(dx, 0.0);
        if dx != dx0 && (r.left < 0.0 || r.right > w) {
            continue;
        }
        for &dy in &dys {
            let c = r.moved(0.0, dy);
            let inside = c.top >= 0.0 && c.bottom <= h;
            if inside && !taken.iter().any(|t| t.overlaps(&c)) {
                return Some((dx, dy));
            }
        }
    }
    None
}

/// Moves the pills of the lane apart (see the module's doc).
pub fn spread(lane: &NodeRef) {
    let Some(lane) = lane.cast::<Element>() else {
        return;
    };
    let (w, h) = (
        f64::from(lane.client_width()),
        f64::from(lane.client_height()),
    );
    if w <= 0.0 || h <= 0.0 {
        return;
    }
    let mut taken: Vec<Rect> = Vec::new();
    // The legend is placed without a transform, so its offsets are where it is drawn.
    let legend = lane.query_selector(".lane-legend, .lane-empty");
    if let Some(l) = legend
        .ok()
        .flatten()
        .and_then(|l| l.dyn_into::<HtmlElement>().ok())
    {
        let (left, top) = (f64::from(l.offset_left()), f64::from(l.offset_top()));
        taken.push(Rect {
            left,
            top,
            right: left + f64::from(l.offset_width()),
            bottom: top + f64::from(l.offset_height()),
        });
    }
    let Ok(pills) = lane.query_selector_all(".message") else {
        return;
    };
    for i in 0..pills.length() {
        let Some(pill) = pills.item(i).and_then(|n| n.dyn_into::<HtmlElement>().ok()) else {
            continue;
        };
        let style = pill.get_attribute("style").unwrap_or_default();
        let Some((x, y)) = percent_position(&style) else {
            continue;
        };
        let (pw, ph) = (
            f64::from(pill.offset_width()),
            f64::from(pill.offset_height()),
        );
        let (cx, cy) = (x / 100.0 * w, y / 100.0 * h);
        let at = Rect {
            left: cx - pw / 2.0,
            top: cy - ph / 2.0,
            right: cx + pw / 2.0,
            bottom: cy + ph / 2.0,
        };
        let base = base_style(&style);
        let want = match free_place(at, w, h, &taken) {
            Some((dx, dy)) => {
                // Whole pixels (integer formatting; the free place keeps a 1 px gap).
                let (dx, dy) = (dx.round(), dy.round());
                taken.push(at.moved(dx, dy));
                let _ = pill.remove_attribute("data-crowded");
                if dx == 0.0 && dy == 0.0 {
                    base
                } else {
                    format!("{base}; --dx: {}px; --dy: {}px", dx as i32, dy as i32)
                }
            }
            None => {
                let _ = pill.set_attribute("data-crowded", "");
                base
            }
        };
        if want != style {
            let _ = pill.set_attribute("style", &want);
        }
    }
}

thread_local! {
    /// The lanes waiting for the next animation frame (one per cluster view).
    static WAITING: std::cell::RefCell<Vec<NodeRef>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Moves the pills apart just before the next frame is painted, once however
/// many renders happened since the last frame (Play at speed renders several
/// steps per frame). Measuring a pill forces the browser to lay the page out;
/// done inside the render's task, that layout was on top of the one the frame
/// does anyway, and it grew with the page (about 6 ms a step in the 600 s
/// benchmark). In the frame's own callback the layout is the one the frame
/// needs, and the few pills moved after it only restyle themselves.
pub fn spread_before_paint(lane: &NodeRef) {
    let first = WAITING.with(|w| {
        let mut w = w.borrow_mut();
        if w.contains(lane) {
            return false;
        }
        w.push(lane.clone());
        w.len() == 1
    });
    if !first {
        return;
    }
    let run = Closure::once_into_js(move || {
        for lane in WAITING.with(|w| std::mem::take(&mut *w.borrow_mut())) {
            spread(&lane);
        }
    });
    let asked =
        web_sys::window().is_some_and(|w| w.request_animation_frame(run.unchecked_ref()).is_ok());
    if !asked {
        for lane in WAITING.with(|w| std::mem::take(&mut *w.borrow_mut())) {
            spread(&lane);
        }
    }
}

/// The window's `resize` listener that spreads the pills again (the lane's
/// size changed without a render); removed when dropped.
pub struct ResizeListener(Closure<dyn FnMut()>);

pub fn on_resize(lane: NodeRef) -> Option<ResizeListener> {
    let window = web_sys::window()?;
    let closure = Closure::<dyn FnMut()>::new(move || spread(&lane));
    window
        .add_event_listener_with_callback("resize", closure.as_ref().unchecked_ref())
        .ok()?;
    Some(ResizeListener(closure))
}

impl Drop for ResizeListener {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            let _ = window
                .remove_event_listener_with_callback("resize", self.0.as_ref().unchecked_ref());
        }
    }
}
