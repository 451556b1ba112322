// Node 20 lacks Promise.withResolvers, which aws-local-stepfunctions 3.x uses.
import '../local/polyfills.ts';
