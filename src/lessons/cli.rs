//! `kafka-sim lessons [--json]` and `kafka-sim lesson ID [--check]`.

use std::process::ExitCode;

pub const USAGE: &str =
    "usage: kafka-sim lessons [--json] | kafka-sim lesson ID|FILE.lesson [--check]";

/// Runs `kafka-sim lessons …` / `kafka-sim lesson …`; `None` for other commands.
pub fn main(args: &[String]) -> Option<ExitCode> {
    let rest: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    match args.first().map(String::as_str) {
        Some("lessons") => Some(list(&rest)),
        Some("lesson") => Some(lesson(&rest)),
        _ => None,
    }
}

fn list(rest: &[&str]) -> ExitCode {
    let json = match rest {
        [] => false,
        ["--json"] => true,
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let lessons = match super::all() {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    if json {
        let items: Vec<serde_json::Value> = lessons
            .iter()
            .map(|l| {
                serde_json::json!({
                    "id": l.id,
                    "chapter": l.chapter,
                    "title": l.title,
                    "beats": l.beats.len(),
                    "challenge": l.is_challenge(),
                    "coming": l.coming.is_some(),
                })
            })
            .collect();
        println!("{}", serde_json::Value::Array(items));
    } else {
        let mut chapter = "";
        for l in &lessons {
            if l.chapter != chapter {
                chapter = &l.chapter;
                println!("{chapter}");
            }
            let what = if l.coming.is_some() {
                format!("coming; {} beats", l.beats.len())
            } else if l.is_challenge() {
                format!("challenge, {} hints", l.hints.len())
            } else {
                format!("{} beats", l.beats.len())
            };
            println!("  {:<32} {} ({what})", l.id, l.title);
        }
    }
    ExitCode::SUCCESS
}

fn lesson(rest: &[&str]) -> ExitCode {
    let (id, check) = match rest {
        [id] if !id.starts_with("--") => (*id, false),
        [id, "--check"] | ["--check", id] => (*id, true),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    // A path: a lesson file being written, read from disk.
    let found = if id.ends_with(".lesson") {
        match std::fs::read_to_string(id) {
            Ok(text) => Some(super::parse(id, &text)),
            Err(e) => {
                eprintln!("cannot read {id}: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        super::find(id)
    };
    let lesson = match found {
        None => {
            eprintln!(
                "there is no lesson '{}' (kafka-sim lessons lists them)",
                crate::echo::show(id)
            );
            return ExitCode::from(2);
        }
        Some(Err(e)) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
        Some(Ok(l)) => l,
    };
    match super::play::check(&lesson) {
        Ok(reports) => {
            for (i, r) in reports.iter().enumerate() {
                let last = lesson.is_challenge() && i == lesson.beats.len();
                if check {
                    let what = if last { "goal" } else { "checks" };
                    println!(
                        "✓ {}: {} ({} {what} hold at step {}, {} ms)",
                        if last {
                            "solution".to_string()
                        } else {
                            format!("beat {}", i + 1)
                        },
                        r.title,
                        r.checks,
                        r.step,
                        r.time_ms
                    );
                } else {
                    if let Some(b) = lesson.beats.get(i) {
                        println!("== {}. {}", i + 1, b.title);
                        for p in &b.narration {
                            println!("{p}\n");
                        }
                    } else {
                        println!("== solution");
                    }
                    print!("{}", r.output);
                }
            }
            if check {
                println!("{}: every check holds", lesson.id);
            }
            ExitCode::SUCCESS
        }
        Err(f) => {
            let beat = match f.beat {
                Some(b) => format!("beat {b} ({})", f.beat_title),
                None => f.beat_title.clone(),
            };
            eprintln!(
                "{}:{}: {}: {beat}: {}",
                lesson.file, f.line, lesson.id, f.message
            );
            ExitCode::from(1)
        }
    }
}
