-- CreateTable
CREATE TABLE "resource_quota" (
    "uid" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "annotations" JSONB NOT NULL DEFAULT '{}',
    "meta" JSONB NOT NULL DEFAULT '{}',
    "spec" JSONB NOT NULL DEFAULT '{}',
    "status" JSONB NOT NULL DEFAULT '{}',
    "resource_version" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(0) NOT NULL,

    CONSTRAINT "resource_quota_pkey" PRIMARY KEY ("uid")
);

-- CreateTable
CREATE TABLE "network_policy" (
    "uid" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "annotations" JSONB NOT NULL DEFAULT '{}',
    "meta" JSONB NOT NULL DEFAULT '{}',
    "spec" JSONB NOT NULL DEFAULT '{}',
    "resource_version" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(0) NOT NULL,

    CONSTRAINT "network_policy_pkey" PRIMARY KEY ("uid")
);

-- CreateIndex
CREATE UNIQUE INDEX "resource_quota_namespace_name_key" ON "resource_quota"("namespace", "name");

-- CreateIndex
CREATE UNIQUE INDEX "network_policy_namespace_name_key" ON "network_policy"("namespace", "name");

-- AddForeignKey
ALTER TABLE "resource_quota" ADD CONSTRAINT "resource_quota_namespace_fkey" FOREIGN KEY ("namespace") REFERENCES "namespace"("name") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "network_policy" ADD CONSTRAINT "network_policy_namespace_fkey" FOREIGN KEY ("namespace") REFERENCES "namespace"("name") ON DELETE RESTRICT ON UPDATE CASCADE;
