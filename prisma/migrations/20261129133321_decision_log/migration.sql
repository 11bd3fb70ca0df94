-- CreateTable
CREATE TABLE "decision_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "caller" TEXT NOT NULL,
    "subject_user" TEXT NOT NULL,
    "subject_groups" TEXT[],
    "kind" TEXT NOT NULL,
    "namespace" TEXT,
    "verb" TEXT,
    "api_group" TEXT,
    "resource" TEXT,
    "subresource" TEXT,
    "name" TEXT,
    "path" TEXT,
    "question" JSONB NOT NULL,
    "allowed" BOOLEAN NOT NULL,
    "reason" TEXT NOT NULL,
    "revision" BIGINT NOT NULL,

    CONSTRAINT "decision_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "decision_log_at_idx" ON "decision_log"("at");

-- CreateIndex
CREATE INDEX "decision_log_subject_user_idx" ON "decision_log"("subject_user");

-- CreateIndex
CREATE INDEX "decision_log_namespace_idx" ON "decision_log"("namespace");

