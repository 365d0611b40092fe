//! Outreach rules that need no I/O: sender settings and send windows, caps, legal basis by
//! region, email templates with their variables, emails and their send attempts, and the
//! audit of policy decisions.

mod attempt;
mod audit;
mod counter;
mod email;
mod legal;
mod sender;
mod template;
mod values;
mod window;

pub use attempt::*;
pub use audit::*;
pub use counter::Counter;
pub use email::*;
pub use legal::*;
pub use sender::*;
pub use template::*;
pub use values::template_values;
pub use window::*;
