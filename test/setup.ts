// Node 20 lacks Promise.withResolvers, which aws-local-stepfunctions 3.x uses.
import '../local/polyfills.ts';

// The pinned AWS SDK supports Node 20; silence its notice about future versions needing Node 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
