//! `cef completions SHELL` and `cef man`: tab completion scripts and man
//! pages, generated from the same clap definitions as `--help`.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::CommandFactory;

use crate::io_util::{Status, report};

/// Arguments of `cef completions`.
#[derive(Debug, clap::Args)]
#[command(about = "Print a tab-completion script for a shell")]
#[command(after_help = "\
Examples:
  cef completions bash > /etc/bash_completion.d/cef
  cef completions zsh > \"${fpath[1]}/_cef\"
  cef completions fish > ~/.config/fish/completions/cef.fish")]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of `cef man`.
#[derive(Debug, clap::Args)]
#[command(about = "Print the man page of cef, or write one page per command to a directory")]
#[command(after_help = "\
Examples:
  cef man | man -l -
  cef man --out /usr/local/share/man/man1    # cef.1, cef-receive.1, ...")]
pub struct ManArgs {
    /// Write cef.1 and a page per command (cef-send.1, ...) into this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Runs `cef completions`.
pub fn completions(args: &CompletionsArgs) -> Status {
    let mut command = crate::Cli::command();
    let mut out = io::stdout().lock();
    clap_complete::generate(args.shell, &mut command, "cef", &mut out);
    finish(out.flush())
}

/// Runs `cef man`.
pub fn man(args: &ManArgs) -> Status {
    let command = crate::Cli::command();
    let written = match &args.out {
        Some(dir) => std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(command, dir)),
        None => {
            let mut out = io::stdout().lock();
            clap_mangen::Man::new(command).render(&mut out).and_then(|()| out.flush())
        }
    };
    finish(written)
}

fn finish(written: io::Result<()>) -> Status {
    match written {
        Ok(()) => Status::Success,
        Err(err) => {
            report(format_args!("cef: cannot write: {err}"));
            Status::Fatal
        }
    }
}
