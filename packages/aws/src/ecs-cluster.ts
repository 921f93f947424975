import * as aws from "@pulumi/aws";
import { transformed, type Transform } from "@polycloud/core";
import { childOptions, physicalNameOf, type Scope } from "./scope";

/** An ECS cluster with Container Insights on: per-service CPU, memory and task metrics. */
export function createEcsCluster(scope: Scope, name: string, t: Transform<aws.ecs.ClusterArgs> | undefined): aws.ecs.Cluster {
  return new aws.ecs.Cluster(
    ...transformed(name, { name: physicalNameOf(scope, "ecsCluster"), settings: [{ name: "containerInsights", value: "enabled" }], tags: scope.tags }, childOptions(scope), t),
  );
}
