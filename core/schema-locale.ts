import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * English messages for the relay's `zod/mini` schemas. Classic zod loads its English locale when it is
 * imported; `zod/mini` loads none (so that a bundle carries only what it uses), and without one every
 * issue reads "Invalid input". Every module that defines a `zod/mini` schema imports this one for its
 * effect, so a Lambda bundle that parses with them says what was expected and what it got — the same
 * sentences the CLI prints. The setting is zod's global one; classic zod sets the same locale.
 */
config(en());
