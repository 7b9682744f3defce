//! The README's Rust quick starts are the examples, to the byte: a test
//! that fails when the two differ (the examples are built and run by
//! `cargo test` and `.ci/run`; `tests/readme/blocks.sh` also builds each
//! block in a fresh binary crate with the README's dependency line).

/// The README's ```rust blocks, in order.
fn rust_blocks(readme: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match (&mut current, line) {
            (None, "```rust") => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(block), line) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn the_readme_quick_starts_are_the_examples_byte_for_byte() {
    let readme = include_str!("../README.md");
    let blocks = rust_blocks(readme);
    let examples = [include_str!("../examples/quickstart_konnect.rs"), include_str!("../examples/quickstart_cef.rs")];
    assert_eq!(blocks.len(), examples.len(), "one ```rust block per quick start example");
    for (block, example) in blocks.iter().zip(examples) {
        assert_eq!(block, example, "a README block differs from its example");
        assert!(block.contains("fn main()"), "a README block is not a whole program");
    }
}

#[test]
fn blocks_are_cut_at_their_fences() {
    let blocks = rust_blocks("text\n```rust\nfn main() {}\n```\n```sh\nls\n```\n```rust\nuse x;\n```\n");
    assert_eq!(blocks, ["fn main() {}\n", "use x;\n"]);
}

/// No README example, nor any `--help` example, puts a secret on a command
/// line, where `ps` shows it to every local user: credentials go in files
/// or the environment (an empty `--authorization ''` holds no secret).
#[test]
fn no_example_puts_a_secret_on_the_command_line() {
    let mut texts = vec![("README.md".to_string(), include_str!("../README.md").to_string())];
    for command in ["receive", "relay", "send", ""] {
        let help = std::process::Command::new(env!("CARGO_BIN_EXE_cef"))
            .args([command, "--help"].iter().filter(|arg| !arg.is_empty()))
            .output();
        let help = help.expect("cef --help");
        texts.push((
            format!("cef {command} --help").replace("  ", " "),
            String::from_utf8_lossy(&help.stdout).into_owned(),
        ));
    }
    for (source, text) in texts {
        for line in text.lines() {
            for flag in ["--authorization '", "--forward-authorization '", "--authorization \"", "-H 'Authorization:"] {
                if let Some(at) = line.find(flag) {
                    let value = &line[at + flag.len()..];
                    assert!(
                        value.starts_with('\'') || value.starts_with('"'),
                        "{source}: a secret on a command line: {line}"
                    );
                }
            }
        }
    }
}
