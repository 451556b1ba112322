import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ArtifactRelay } from './artifact-relay.ts';
import type { ArtifactRelayProps } from './props.ts';

/** Properties of {@link ArtifactRelayStack}: the stack's and the relay's. */
export interface ArtifactRelayStackProps extends StackProps {
  /** The relay's properties. */
  readonly relay: ArtifactRelayProps;
}

/** A stack holding one {@link ArtifactRelay} (construct id `Relay`). */
export class ArtifactRelayStack extends Stack {
  /** The relay. */
  readonly relay: ArtifactRelay;

  constructor(scope: Construct, id: string, props: ArtifactRelayStackProps) {
    super(scope, id, {
      description:
        'artifact-relay: relays new build artifacts to buckets in other regions, verified and deployed',
      ...props,
    });
    this.relay = new ArtifactRelay(this, 'Relay', props.relay);
  }
}
