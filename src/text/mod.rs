//! Text → tokens. [`Normalizer`] settings say how a token's text is folded (Unicode NFKC,
//! case, accents, repeated letters); [`tokenize`] finds the tokens in the original text and
//! keeps where each came from, so evidence found after normalisation can be highlighted in
//! what the reader wrote.

pub mod normalize;
pub mod tokenize;

pub use normalize::Normalizer;
pub use tokenize::{tokenize, Token, TokenKind};
