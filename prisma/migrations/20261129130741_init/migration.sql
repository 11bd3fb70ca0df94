-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "policy_revision" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "value" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "policy_revision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "change" (
    "id" BIGSERIAL NOT NULL,
    "revision" BIGINT NOT NULL,
    "kind" TEXT NOT NULL,
    "namespace" TEXT NOT NULL DEFAULT '',
    "name" TEXT NOT NULL,
    "uid" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "change_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "namespace" (
    "uid" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "tenant" TEXT,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "annotations" JSONB NOT NULL DEFAULT '{}',
    "meta" JSONB NOT NULL DEFAULT '{}',
    "spec" JSONB NOT NULL DEFAULT '{}',
    "status" JSONB NOT NULL DEFAULT '{}',
    "resource_version" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(0) NOT NULL,

    CONSTRAINT "namespace_pkey" PRIMARY KEY ("uid")
);

-- CreateTable
CREATE TABLE "role" (
    "uid" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "annotations" JSONB NOT NULL DEFAULT '{}',
    "meta" JSONB NOT NULL DEFAULT '{}',
    "rules" JSONB NOT NULL DEFAULT '[]',
    "resource_version" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(0) NOT NULL,

    CONSTRAINT "role_pkey" PRIMARY KEY ("uid")
);

-- CreateTable
CREATE TABLE "cluster_role" (
    "uid" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "annotations" JSONB NOT NULL DEFAULT '{}',
    "meta" JSONB NOT NULL DEFAULT '{}',
    "rules" JSONB NOT NULL DEFAULT '[]',
    "aggregation_rule" JSONB,
    "resource_version" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(0) NOT NULL,

    CONSTRAINT "cluster_role_pkey" PRIMARY KEY ("uid")
);

-- CreateTable
CREATE TABLE "role_binding" (
    "uid" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "annotations" JSONB NOT NULL DEFAULT '{}',
    "meta" JSONB NOT NULL DEFAULT '{}',
    "role_ref_api_group" TEXT NOT NULL,
    "role_ref_kind" TEXT NOT NULL,
    "role_ref_name" TEXT NOT NULL,
    "subjects" JSONB NOT NULL DEFAULT '[]',
    "resource_version" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(0) NOT NULL,

    CONSTRAINT "role_binding_pkey" PRIMARY KEY ("uid")
);

-- CreateTable
CREATE TABLE "cluster_role_binding" (
    "uid" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "annotations" JSONB NOT NULL DEFAULT '{}',
    "meta" JSONB NOT NULL DEFAULT '{}',
    "role_ref_api_group" TEXT NOT NULL,
    "role_ref_kind" TEXT NOT NULL,
    "role_ref_name" TEXT NOT NULL,
    "subjects" JSONB NOT NULL DEFAULT '[]',
    "resource_version" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(0) NOT NULL,

    CONSTRAINT "cluster_role_binding_pkey" PRIMARY KEY ("uid")
);

-- CreateTable
CREATE TABLE "service_account" (
    "uid" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "annotations" JSONB NOT NULL DEFAULT '{}',
    "meta" JSONB NOT NULL DEFAULT '{}',
    "secrets" JSONB,
    "image_pull_secrets" JSONB,
    "automount_service_account_token" BOOLEAN,
    "resource_version" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(0) NOT NULL,

    CONSTRAINT "service_account_pkey" PRIMARY KEY ("uid")
);

-- CreateTable
CREATE TABLE "iam_user" (
    "uid" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "groups" TEXT[],
    "labels" JSONB NOT NULL DEFAULT '{}',
    "annotations" JSONB NOT NULL DEFAULT '{}',
    "meta" JSONB NOT NULL DEFAULT '{}',
    "resource_version" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(0) NOT NULL,

    CONSTRAINT "iam_user_pkey" PRIMARY KEY ("uid")
);

-- CreateTable
CREATE TABLE "iam_token" (
    "uid" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "annotations" JSONB NOT NULL DEFAULT '{}',
    "meta" JSONB NOT NULL DEFAULT '{}',
    "user" TEXT NOT NULL,
    "groups" TEXT[],
    "description" TEXT NOT NULL DEFAULT '',
    "hash" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "resource_version" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(0) NOT NULL,

    CONSTRAINT "iam_token_pkey" PRIMARY KEY ("uid")
);

-- CreateIndex
CREATE INDEX "change_revision_idx" ON "change"("revision");

-- CreateIndex
CREATE INDEX "change_kind_namespace_name_idx" ON "change"("kind", "namespace", "name");

-- CreateIndex
CREATE INDEX "change_actor_idx" ON "change"("actor");

-- CreateIndex
CREATE UNIQUE INDEX "namespace_name_key" ON "namespace"("name");

-- CreateIndex
CREATE INDEX "namespace_tenant_idx" ON "namespace"("tenant");

-- CreateIndex
CREATE UNIQUE INDEX "role_namespace_name_key" ON "role"("namespace", "name");

-- CreateIndex
CREATE UNIQUE INDEX "cluster_role_name_key" ON "cluster_role"("name");

-- CreateIndex
CREATE UNIQUE INDEX "role_binding_namespace_name_key" ON "role_binding"("namespace", "name");

-- CreateIndex
CREATE UNIQUE INDEX "cluster_role_binding_name_key" ON "cluster_role_binding"("name");

-- CreateIndex
CREATE UNIQUE INDEX "service_account_namespace_name_key" ON "service_account"("namespace", "name");

-- CreateIndex
CREATE UNIQUE INDEX "iam_user_name_key" ON "iam_user"("name");

-- CreateIndex
CREATE UNIQUE INDEX "iam_token_name_key" ON "iam_token"("name");

-- CreateIndex
CREATE UNIQUE INDEX "iam_token_hash_key" ON "iam_token"("hash");

-- CreateIndex
CREATE INDEX "iam_token_user_idx" ON "iam_token"("user");

-- AddForeignKey
ALTER TABLE "role" ADD CONSTRAINT "role_namespace_fkey" FOREIGN KEY ("namespace") REFERENCES "namespace"("name") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "role_binding" ADD CONSTRAINT "role_binding_namespace_fkey" FOREIGN KEY ("namespace") REFERENCES "namespace"("name") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "service_account" ADD CONSTRAINT "service_account_namespace_fkey" FOREIGN KEY ("namespace") REFERENCES "namespace"("name") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The single revision row every write bumps.
INSERT INTO "policy_revision" ("id", "value") VALUES (1, 0);
