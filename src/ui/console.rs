//! The console panel: a terminal-like transcript and one input line.
//!
//! Everything typed here goes to the console [`crate::console::Session`] unchanged
//! (through the app reducer); this component only edits the line, keeps the
//! ↑/↓ history position and scrolls the transcript.

use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// One item of the transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsoleEntry {
    /// A line as entered, with the prompt it was entered at (`$ ` or `> `).
    Input { prompt: String, text: String },
    /// What the command printed.
    Output(String),
    /// What the command printed on standard error (warnings, totals, send errors).
    Stderr(String),
    /// The command's error message: the line was refused (shown in red).
    Error(String),
    /// A remark from the simulator itself (e.g. after Reset).
    Note(String),
    /// A `#` comment line of a lesson's script (shown dimmed: the lesson's explanation).
    Comment(String),
}

#[derive(Properties, PartialEq, Clone)]
pub struct ConsoleViewProps {
    pub entries: Rc<Vec<ConsoleEntry>>,
    /// Commands entered so far, oldest first.
    pub history: Rc<Vec<String>>,
    pub prompt: AttrValue,
    pub on_line: Callback<String>,
    pub on_eof: Callback<()>,
}

fn entry_html(e: &ConsoleEntry) -> Html {
    match e {
        ConsoleEntry::Input { prompt, text } => html! {
            <div class="console-line console-echo"><span class="console-prompt-echo">{ prompt }</span>{ text }</div>
        },
        ConsoleEntry::Output(t) => html! { <div class="console-line console-stdout">{ t }</div> },
        ConsoleEntry::Stderr(t) => html! { <div class="console-line console-stderr">{ t }</div> },
        ConsoleEntry::Error(t) => html! { <div class="console-line console-error">{ t }</div> },
        ConsoleEntry::Note(t) => html! { <div class="console-line console-note">{ t }</div> },
        ConsoleEntry::Comment(t) => html! { <div class="console-line console-comment">{ t }</div> },
    }
}

#[function_component(ConsoleView)]
pub fn console_view(props: &ConsoleViewProps) -> Html {
    let input_ref = use_node_ref();
    let output_ref = use_node_ref();
    // Position while browsing history with ↑/↓ (None = editing a new line),
    // and the unfinished line to restore when ↓ goes past the newest entry.
    let hist_pos = use_mut_ref(|| None::<usize>);
    let draft = use_mut_ref(String::new);

    {
        let output_ref = output_ref.clone();
        // Length and last entry: the transcript is capped, so the length alone can stay the same.
        let last = (props.entries.len(), props.entries.last().cloned());
        use_effect_with(last, move |_| {
            if let Some(el) = output_ref.cast::<web_sys::Element>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }

    let onkeydown = {
        let input_ref = input_ref.clone();
        let history = props.history.clone();
        let on_line = props.on_line.clone();
        let on_eof = props.on_eof.clone();
        Callback::from(move |e: KeyboardEvent| {
            let Some(input) = input_ref.cast::<HtmlInputElement>() else {
                return;
            };
            let set = |text: &str| {
                input.set_value(text);
                let end = text.encode_utf16().count() as u32;
                let _ = input.set_selection_range(end, end);
            };
            match e.key().as_str() {
                "Enter" => {
                    e.prevent_default();
                    let line = input.value();
                    input.set_value("");
                    *hist_pos.borrow_mut() = None;
                    draft.borrow_mut().clear();
                    on_line.emit(line);
                }
                "d" | "D" if e.ctrl_key() => {
                    // Ctrl-D: end of input, as in a terminal (the browser's bookmark shortcut is suppressed).
                    e.prevent_default();
                    on_eof.emit(());
                }
                "ArrowUp" if !history.is_empty() => {
                    e.prevent_default();
                    let mut pos = hist_pos.borrow_mut();
                    let next = match *pos {
                        None => {
                            *draft.borrow_mut() = input.value();
                            history.len() - 1
                        }
                        Some(p) => p.saturating_sub(1),
                    };
                    *pos = Some(next);
                    if let Some(h) = history.get(next) {
                        set(h);
                    }
                }
                "ArrowDown" => {
                    let mut pos = hist_pos.borrow_mut();
                    if let Some(p) = *pos {
                        e.prevent_default();
                        if p + 1 < history.len() {
                            *pos = Some(p + 1);
                            if let Some(h) = history.get(p + 1) {
                                set(h);
                            }
                        } else {
                            *pos = None;
                            set(&draft.borrow());
                        }
                    }
                }
                _ => {}
            }
        })
    };
    let focus_input = {
        let input_ref = input_ref.clone();
        Callback::from(move |_: MouseEvent| {
            // Clicking the transcript focuses the input, unless the learner is selecting text to copy.
            let selecting = web_sys::window()
                .and_then(|w| w.get_selection().ok().flatten())
                .is_some_and(|s| !s.is_collapsed());
            if !selecting {
                if let Some(input) = input_ref.cast::<HtmlInputElement>() {
                    let _ = input.focus();
                }
            }
        })
    };

    html! {
        <section class="panel console-panel" aria-label="Console">
            <h2 class="panel-title">
                { "Console" }
                <span class="panel-hint">{ "Enter runs · ↑/↓ history · Ctrl-D ends input" }</span>
            </h2>
            <div id="console-output" class="console-output" ref={output_ref} onclick={focus_input}
                role="log" aria-live="polite" aria-label="Console output" tabindex="0">
                { for props.entries.iter().map(entry_html) }
            </div>
            <div class="console-input-row">
                <span class="console-prompt">{ props.prompt.clone() }</span>
                <input
                    id="console-input"
                    ref={input_ref}
                    type="text"
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    aria-label="Console command"
                    placeholder={if props.prompt.as_str() == "> " { "record line, or EOF to finish" } else { "kafka-topics --list" }}
                    onkeydown={onkeydown}
                />
            </div>
        </section>
    }
}
