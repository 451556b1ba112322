/**
 * CodePipeline's variable references in action configuration, `#{namespace.name}`, resolved before an
 * action runs (CodePipeline User Guide, "Variables reference"): `#{codepipeline.PipelineExecutionId}`
 * and the output variables of earlier actions that declared a namespace.
 */

/** The namespace of the variables every pipeline execution has. */
export const CODEPIPELINE_NAMESPACE = 'codepipeline';

const REFERENCE = /#\{([A-Za-z0-9@_-]+)\.([A-Za-z0-9@_-]+)\}/g;

/** A reference nothing resolves; the action fails with it, as CodePipeline fails it. */
export class UnresolvedVariable extends Error {
  override readonly name = 'UnresolvedVariable';
}

/**
 * `text` with every `#{namespace.name}` replaced.
 *
 * @throws UnresolvedVariable for a reference to an unknown namespace or variable
 */
export function resolveVariables(
  text: string,
  namespaces: ReadonlyMap<string, Readonly<Record<string, string>>>,
): string {
  return text.replace(REFERENCE, (reference, namespace: string, name: string) => {
    const value = namespaces.get(namespace)?.[name];
    if (value === undefined) {
      throw new UnresolvedVariable(
        `The action configuration references ${reference}, which no variable resolves`,
      );
    }
    return value;
  });
}
